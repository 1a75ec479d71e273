using System.CommandLine;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary>
/// Runs a command's action: resolves the connection, makes the client, and turns whatever goes wrong into a message and the
/// exit code a script can act on (<see cref="ExitCodes"/>).
/// </summary>
internal sealed class Runner(GlobalOptions globals, Terminal terminal, CliEnvironment environment)
{
    /// <summary>A connection that is refused or unroutable fails within this, not after the whole request timeout.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public Func<ParseResult, CancellationToken, Task<int>> Action(Func<CommandContext, Task<int>> body) => async (parse, cancellationToken) =>
    {
        var json = parse.GetValue(globals.Json);
        Connection? connection = null;
        try
        {
            connection = Connection.Resolve(parse.GetValue(globals.Url), parse.GetValue(globals.ApiKey), parse.GetValue(globals.Profile), environment, terminal);
            var timeout = parse.GetValue(globals.Timeout);
            if (timeout <= 0)
            {
                throw new UsageException($"--timeout must be a positive number of seconds; got {timeout}.");
            }
            // The client applies --timeout to each request itself, with a message that says so.
            using var http = new HttpClient(Handler(parse.GetValue(globals.Verbose))) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            var client = new TotallatorClient(http, new TotallatorClientOptions
            {
                BaseAddress = connection.Url, ApiKey = connection.ApiKey, Timeout = TimeSpan.FromSeconds(timeout),
            });
            return await body(new CommandContext(parse, client, terminal, json, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception e) when (Failure.Describe(e, connection?.Url, cancellationToken) is { } failure)
        {
            failure.WriteTo(terminal, json);
            return failure.ExitCode;
        }
    };

    private HttpMessageHandler Handler(bool verbose)
    {
        var sockets = new SocketsHttpHandler { ConnectTimeout = ConnectTimeout };
        return verbose ? new VerboseHandler(terminal, sockets) : sockets;
    }
}
