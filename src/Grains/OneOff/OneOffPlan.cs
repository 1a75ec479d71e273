using System.Globalization;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.OneOff;

/// <summary>What a due one-off run becomes.</summary>
public enum OneOffAction
{
    /// <summary>Claim and start it.</summary>
    Run,
    /// <summary>The job is running: try again when that run ends.</summary>
    Wait,
    /// <summary>Record why it did not run (<see cref="OneOffDecision.EndsAs"/>).</summary>
    NotRun,
}

/// <summary>A due one-off run's fate, with the note its row keeps.</summary>
public readonly record struct OneOffDecision(OneOffAction Action, ExecutionStatus? EndsAs, string Reason);

/// <summary>
/// The decision for a due one-off run, with no I/O: skipped when the job may not run now (disabled, no longer defined, scheduling
/// paused); when it comes due later than the misfire threshold (the cluster was down, or the job had no activation), the job's
/// misfire policy decides as for a scheduled occurrence: <c>skip</c> records it missed, the others run it late; while the job
/// runs, it waits for that run's end.
/// </summary>
public static class OneOffPlan
{
    public static OneOffDecision Decide(OneOffRun run, DateTimeOffset now, string? notRunReason, bool jobRunning, MisfirePolicy policy, TimeSpan misfireThreshold)
    {
        ArgumentNullException.ThrowIfNull(run);
        var by = string.Create(CultureInfo.InvariantCulture, $"one-off run scheduled by {run.CreatedBy} at {run.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z")
                 + (string.IsNullOrEmpty(run.Note) ? "" : $": {run.Note}");
        if (notRunReason is not null)
        {
            return new OneOffDecision(OneOffAction.NotRun, ExecutionStatus.Skipped, $"{notRunReason} ({by})");
        }
        var late = now - run.RunAt;
        if (late > misfireThreshold && policy == MisfirePolicy.Skip)
        {
            return new OneOffDecision(OneOffAction.NotRun, ExecutionStatus.Missed,
                string.Create(CultureInfo.InvariantCulture, $"missed: due {late.TotalSeconds:0.#} s ago while nothing could run it, and the misfire policy skips late runs ({by})"));
        }
        if (jobRunning)
        {
            return new OneOffDecision(OneOffAction.Wait, null, by);
        }
        return new OneOffDecision(OneOffAction.Run, null, late > misfireThreshold
            ? string.Create(CultureInfo.InvariantCulture, $"{by}; ran {late.TotalSeconds:0.#} s late")
            : by);
    }
}
