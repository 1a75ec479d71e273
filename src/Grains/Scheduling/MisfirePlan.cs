using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Scheduling;

/// <summary>One due occurrence and what to do with it.</summary>
public readonly record struct PlannedOccurrence(DateTimeOffset ScheduledFor, PlannedAction Action);

/// <summary>What the scheduler does with a due occurrence.</summary>
public enum PlannedAction
{
    /// <summary>Run it as an on-time scheduled run.</summary>
    Run,
    /// <summary>Run it late, as a catch-up run.</summary>
    CatchUp,
    /// <summary>Record it as missed.</summary>
    Miss,
}

/// <summary>The decision for everything due since the last handled occurrence.</summary>
/// <param name="Occurrences">Oldest first.</param>
/// <param name="UnrecordedMissed">Missed occurrences beyond the recording cap, summarised rather than given a row each.</param>
/// <param name="UnrecordedFrom">The oldest of those.</param>
/// <param name="UnrecordedTo">The newest of those.</param>
public sealed record MisfirePlan(IReadOnlyList<PlannedOccurrence> Occurrences, long UnrecordedMissed, DateTimeOffset? UnrecordedFrom, DateTimeOffset? UnrecordedTo)
{
    public static readonly MisfirePlan Empty = new([], 0, null, null);
}

/// <summary>
/// Decides what to do with the occurrences that fell due in (last handled, now]. Pure: no clock, no I/O.
/// The latest due occurrence, when no later than <c>threshold</c> behind now, is on time and runs whatever the policy; older ones are misfires
/// handled by the job's <see cref="MisfirePolicy"/>.
/// </summary>
public static class MisfirePlanner
{
    public static MisfirePlan Plan(CronSchedule schedule, DateTimeOffset lastHandled, DateTimeOffset now, MisfirePolicy policy,
        int runAllCap, TimeSpan threshold, int maxRecorded)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        // Count first, then keep only the newest ones worth a row: a 1-second job down for a week has 600,000 occurrences.
        var keep = Math.Max(maxRecorded, 0) + Math.Max(runAllCap, 1);
        var recent = new Queue<DateTimeOffset>(keep);
        long dropped = 0;
        DateTimeOffset? firstDropped = null, lastDropped = null;
        foreach (var occurrence in schedule.Between(lastHandled, now))
        {
            if (recent.Count == keep)
            {
                lastDropped = recent.Dequeue();
                firstDropped ??= lastDropped;
                dropped++;
            }
            recent.Enqueue(occurrence);
        }
        if (recent.Count == 0)
        {
            return MisfirePlan.Empty;
        }
        var due = recent.ToList();
        var actions = new PlannedAction[due.Count];
        Array.Fill(actions, PlannedAction.Miss);

        var latest = due.Count - 1;
        var latestOnTime = now - due[latest] <= threshold;
        switch (policy)
        {
            case MisfirePolicy.RunOnce:
                actions[latest] = latestOnTime ? PlannedAction.Run : PlannedAction.CatchUp;
                break;
            case MisfirePolicy.Skip:
                if (latestOnTime)
                {
                    actions[latest] = PlannedAction.Run;
                }
                break;
            case MisfirePolicy.RunAll:
                for (var i = Math.Max(0, due.Count - Math.Max(runAllCap, 1)); i <= latest; i++)
                {
                    actions[i] = i == latest && latestOnTime ? PlannedAction.Run : PlannedAction.CatchUp;
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown misfire policy.");
        }

        // Beyond the recording cap the oldest misses are summarised (one row) instead of getting a row each.
        var result = new List<PlannedOccurrence>(due.Count);
        var missesLeft = actions.Count(a => a == PlannedAction.Miss);
        for (var i = 0; i < due.Count; i++)
        {
            if (actions[i] == PlannedAction.Miss && missesLeft-- > maxRecorded)
            {
                lastDropped = due[i];
                firstDropped ??= due[i];
                dropped++;
                continue;
            }
            result.Add(new PlannedOccurrence(due[i], actions[i]));
        }
        return new MisfirePlan(result, dropped, firstDropped, lastDropped);
    }
}
