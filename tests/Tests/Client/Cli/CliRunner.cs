using System.Text.Json;
using Totallator.Cli;

namespace Totallator.Tests.Client.Cli;

/// <summary>Runs the <c>totallator</c> command line in-process, with a given environment, and keeps what it printed.</summary>
internal static class CliRunner
{
    public static async Task<CliRun> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, new CliEnvironment(environment));
        return new CliRun(code, output.ToString(), error.ToString(), args);
    }

    /// <summary>An environment with the API's address and a key, and a home of its own (no profile file unless the test writes one).</summary>
    public static Dictionary<string, string?> Environment(Uri url, string? key, string home) => new()
    {
        ["TOTALLATOR_URL"] = url.ToString(), ["TOTALLATOR_API_KEY"] = key, ["HOME"] = home,
    };
}

internal sealed record CliRun(int ExitCode, string Out, string Err, string[] Args)
{
    public JsonElement Json => JsonDocument.Parse(Out).RootElement;

    public override string ToString() => $"totallator {string.Join(' ', Args)} -> {ExitCode}\nstdout: {Out}\nstderr: {Err}";
}
