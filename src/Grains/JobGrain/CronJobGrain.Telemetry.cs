using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>Occurrences that end without running, counted once the store has them (a failed write is planned again, not counted twice).</summary>
public sealed partial class CronJobGrain
{
    /// <param name="unrun">The rows just recorded.</param>
    /// <param name="summarised">Occurrences that one summary row in <paramref name="unrun"/> stands for (0 when there is none).</param>
    private void CountNotRun(IReadOnlyList<UnrunOccurrence> unrun, long summarised)
    {
        foreach (var row in unrun)
        {
            CountNotRun(row.Status, row.Reason, 1);
        }
        if (summarised > 1)
        {
            CountNotRun(ExecutionStatus.Missed, "", summarised - 1);
        }
    }

    private void CountNotRun(ExecutionStatus status, string reason, long count)
    {
        if (status == ExecutionStatus.Missed)
        {
            instruments.OccurrencesMissed(_slug, _job!.MisfirePolicy, count);
        }
        else if (status == ExecutionStatus.Skipped)
        {
            // The grain writes only these three reasons for a skipped scheduled occurrence.
            instruments.OccurrencesSkipped(_slug, reason == JobPlanner.PausedReason ? "paused"
                : reason.StartsWith(Execution.LeftRunningAttempts.SkipReasonPrefix, StringComparison.Ordinal) ? Execution.LeftRunningAttempts.SkipReasonPrefix
                : "overlap", count);
        }
    }
}
