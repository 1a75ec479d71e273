using System.CommandLine;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary>What a command's action works with: its parsed line, the client, the terminal, and whether to print JSON.</summary>
internal sealed class CommandContext(ParseResult parse, ITotallatorClient client, Terminal terminal, bool json, CancellationToken cancellationToken)
{
    public ParseResult Parse => parse;
    public ITotallatorClient Client => client;
    public Terminal Terminal => terminal;
    public bool Json => json;
    public CancellationToken CancellationToken => cancellationToken;

    public T Get<T>(Argument<T> argument) => parse.GetRequiredValue(argument);

    public T? Get<T>(Option<T> option) => parse.GetValue(option);

    /// <summary>The answer as JSON with <c>--json</c>, else as <paramref name="human"/> writes it.</summary>
    public int Print<T>(T value, Action<T> human, int exitCode = ExitCodes.Ok)
    {
        if (json)
        {
            terminal.Out(Format.Json(value));
        }
        else
        {
            human(value);
        }
        return exitCode;
    }
}
