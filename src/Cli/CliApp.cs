using System.CommandLine;

namespace Totallator.Cli;

/// <summary>
/// The <c>totallator</c> command line, callable in-process: parses the arguments, runs the command against the API,
/// writes to the given writers, and returns the exit code (<see cref="ExitCodes"/>). The process's <c>Main</c> is a thin shell
/// around it; tests call it directly.
/// </summary>
public static class CliApp
{
    /// <summary>Runs one command line.</summary>
    /// <param name="args">The arguments, without the program's name.</param>
    /// <param name="output">Where answers go (stdout).</param>
    /// <param name="error">Where messages, warnings and failures go (stderr).</param>
    /// <param name="environment">Variables (<c>TOTALLATOR_URL</c>, <c>TOTALLATOR_API_KEY</c>, <c>HOME</c>, ...).</param>
    /// <param name="cancellationToken">Stops the command (exit code 130).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var terminal = new Terminal(output, error);
        // Before parsing: a parse error may quote any token, and the key may be one of them.
        terminal.Hide(environment.Get(Connection.KeyVariable));
        var globals = new GlobalOptions();
        var root = Build(new Runner(globals, terminal, environment), globals);
        var parse = root.Parse(args);
        terminal.Hide(parse.GetValue(globals.ApiKey));
        if (parse.Errors.Count > 0)
        {
            foreach (var failure in parse.Errors)
            {
                terminal.Error("totallator: " + failure.Message);
            }
            terminal.Error($"Run 'totallator {string.Join(' ', CommandPath(parse))} --help' for usage.".Replace("  ", " ", StringComparison.Ordinal));
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = output, Error = error, EnableDefaultExceptionHandler = false,
            // Ctrl+C reaches the command through the caller's token (Program), not through System.CommandLine's own handler.
            ProcessTerminationTimeout = null,
        }, cancellationToken).ConfigureAwait(false);
    }

    private static RootCommand Build(Runner runner, GlobalOptions globals)
    {
        var root = new RootCommand("totallator: the command line of the Totallator Cron admin API. Exit codes: 0 ok, 1 run failed (trigger --wait), "
            + "2 usage or invalid input, 3 not found, 4 unauthorized or forbidden, 5 conflict or stale version, 6 unreachable or server error, 7 rate limited.")
        {
            JobsCommands.Build(runner), RunsCommands.Build(runner), ConfigCommands.Build(runner), ConfigCommands.Pause(runner), ConfigCommands.Resume(runner),
            KeysCommands.Build(runner), AuditCommand.Build(runner),
        };
        foreach (var option in globals.All)
        {
            root.Options.Add(option);
        }
        return root;
    }

    private static List<string> CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Insert(0, result.Command.Name);
        }
        return names;
    }
}
