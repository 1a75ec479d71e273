using System.CommandLine;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary>
/// <c>totallator jobs trigger SLUG [--wait]</c>: runs a job now; with <c>--wait</c>, follows the run (through its retries) and exits
/// 0 only when it succeeded, so that a deploy script can stop on a failed job.
/// </summary>
internal static class TriggerCommand
{
    public static Command Build(Runner runner)
    {
        var slug = Arguments.Slug();
        var wait = new Option<bool>("--wait", "-w") { Description = "Follow the run to its end; exit 0 if it succeeded, 1 if not." };
        var waitTimeout = new Option<string?>("--wait-timeout") { Description = "Give up waiting after this long (90s, 10m, 2h; default: no limit); exit 1, the run goes on." };
        var noRetries = new Option<bool>("--no-follow-retries") { Description = "With --wait: answer the first attempt, not the occurrence's last." };
        var force = new Option<bool>("--override") { Description = "Run even while an execution of the job is running (recorded as an override)." };
        var key = new Option<string?>("--idempotency-key")
        {
            Description = "Make the trigger safe to repeat: the same key (same key, same job, 24 h) starts nothing new and answers the first execution.",
        };
        var command = new Command("trigger", "Runs the job now (operator).") { slug, wait, waitTimeout, noRetries, force, key };
        command.SetAction(runner.Action(async c =>
        {
            var timeout = Arguments.Duration("--wait-timeout", c.Get(waitTimeout));
            var started = await c.Client.TriggerJobAsync(c.Get(slug), new TriggerOptions { Override = c.Get(force), IdempotencyKey = c.Get(key) }, c.CancellationToken);
            if (!c.Get(wait))
            {
                return c.Print(started, s => c.Terminal.Out($"Triggered {c.Get(slug)}: execution {s.ExecutionId}" +
                    (s.Replayed ? " (an earlier trigger with this idempotency key; nothing new started)." : ".")));
            }
            if (!c.Json)
            {
                c.Terminal.Error($"Triggered {c.Get(slug)}: execution {started.ExecutionId}{(started.Replayed ? " (replayed)" : "")}; waiting for it to end...");
            }
            ExecutionDetails end;
            try
            {
                end = await c.Client.WaitForExecutionAsync(started.ExecutionId, new WaitOptions { Timeout = timeout, FollowRetries = !c.Get(noRetries) }, c.CancellationToken);
            }
            catch (TotallatorWaitTimeoutException e)
            {
                var still = e.LastSeen.Summary;
                return c.Print(e.LastSeen, _ => c.Terminal.Error($"totallator: execution {still.Id} is still {Format.Name(still.Status)} after waiting "
                    + $"{Format.Duration((long)timeout!.Value.TotalMilliseconds)}; it goes on ('totallator runs show {still.Id}')."), ExitCodes.RunFailed);
            }
            var run = end.Summary;
            var exit = run.Status == ExecutionStatus.Succeeded ? ExitCodes.Ok : ExitCodes.RunFailed;
            return c.Print(end, _ =>
            {
                var attempt = run.RetryCount > 0 ? $" (attempt {run.RetryCount + 1})" : "";
                var line = $"Execution {run.Id}{attempt} {Format.Name(run.Status)} in {Format.Duration(run.DurationMs)}" + (run.StatusReason is { } reason ? $": {reason}" : ".");
                if (exit == ExitCodes.Ok)
                {
                    c.Terminal.Out(line);
                    return;
                }
                c.Terminal.Error(line);
                if (end.ErrorMessage is { Length: > 0 } error)
                {
                    c.Terminal.Error(error);
                }
            }, exit);
        }));
        return command;
    }
}
