using System.CommandLine;

namespace Totallator.Cli;

/// <summary><c>totallator runs show|cancel|output</c>: one execution.</summary>
internal static class RunsCommands
{
    public static Command Build(Runner runner) => new("runs", "Read an execution, its output, or cancel it.") { Show(runner), Cancel(runner), Output(runner) };

    private static Command Show(Runner runner)
    {
        var id = Arguments.ExecutionId();
        var command = new Command("show", "One execution: status, times, attempt, reason, error.") { id };
        command.SetAction(runner.Action(async c => c.Print(await c.Client.GetExecutionAsync(c.Get(id), c.CancellationToken), details =>
        {
            var run = details.Summary;
            var lines = new List<(string, string?)>
            {
                ("execution", run.Id.ToString()), ("job", $"{run.JobSlug} ({details.JobName})"), ("status", Format.Name(run.Status)),
                ("reason", run.StatusReason), ("trigger", Format.Name(run.TriggeredBy) + (run.TriggeredByUserId is { } who ? $" by {who}" : "")),
                ("attempt", Format.Number(run.RetryCount + 1)), ("scheduled for", Format.Time(run.ScheduledFor)), ("started", Format.Time(run.StartedAt)),
                ("ended", Format.Time(run.CompletedAt)), ("duration", Format.Duration(run.DurationMs)),
                ("exit code", run.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("error", details.ErrorMessage),
                ("output", details.Output is { Length: > 0 } output ? $"{output.Length} characters ('totallator runs output {run.Id}')" : null),
            };
            foreach (var (name, value) in lines.Where(l => l.Item2 is { Length: > 0 }))
            {
                c.Terminal.Out((name + ":").PadRight(15) + value);
            }
        })));
        return command;
    }

    private static Command Cancel(Runner runner)
    {
        var id = Arguments.ExecutionId();
        var command = new Command("cancel", "Asks a running execution to stop (operator); it ends as failed, reason cancelled, without a retry.") { id };
        command.SetAction(runner.Action(async c => c.Print(await c.Client.CancelExecutionAsync(c.Get(id), c.CancellationToken),
            r => c.Terminal.Out($"Cancellation requested for execution {r.ExecutionId}."))));
        return command;
    }

    private static Command Output(Runner runner)
    {
        var id = Arguments.ExecutionId();
        var command = new Command("output", "The execution's output as the job reported it, on stdout; its error message and stack trace on stderr.") { id };
        command.SetAction(runner.Action(async c =>
        {
            var details = await c.Client.GetExecutionAsync(c.Get(id), c.CancellationToken);
            return c.Print(new { executionId = details.Summary.Id, status = details.Summary.Status, details.Output, details.ErrorMessage, details.StackTrace }, _ =>
            {
                if (details.Output is { Length: > 0 } output)
                {
                    c.Terminal.OutRaw(output.EndsWith('\n') ? output : output + "\n");
                }
                foreach (var text in new[] { details.ErrorMessage, details.StackTrace }.Where(t => t is { Length: > 0 }))
                {
                    c.Terminal.Error(text!);
                }
            });
        }));
        return command;
    }
}
