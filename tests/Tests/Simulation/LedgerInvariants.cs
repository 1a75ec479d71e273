using System.Globalization;
using System.Text.RegularExpressions;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Simulation;

/// <summary>
/// What must hold of the ledger, whatever the faults. After every event: no occurrence ran twice, and
/// <c>lastScheduledFor</c> never stands past an occurrence that has no row (the rule that makes a lost activation harmless).
/// At the end of the quiet period: nothing is left claimed or running, every occurrence of the last schedule has its row, and
/// every row says what really happened to its run.
/// </summary>
public static partial class LedgerInvariants
{
    public static string? CheckAlways(LedgerSimulation sim)
    {
        ArgumentNullException.ThrowIfNull(sim);
        if (sim.StartedTwice.Count > 0)
        {
            return $"occurrence {sim.StartedTwice[0]} started twice under one execution id";
        }
        // A key may be answered with a run that then never started (its activation gave it up, ending it skipped, which frees the
        // key: see the end check), and later with a new one; never with two that ran.
        if (sim.TriggerAnswers.Where(a => a.Key is not null).GroupBy(a => a.Key)
                .FirstOrDefault(g => g.Select(a => a.ExecutionId).Distinct().Count(sim.Runs.ContainsKey) > 1) is { } keyed)
        {
            return $"idempotency key {keyed.Key} ran twice: {string.Join(" and ", keyed.Select(a => a.ExecutionId).Distinct().Where(sim.Runs.ContainsKey))}";
        }
        if (sim.Runs.Values.GroupBy(r => (r.OccurrenceKey, r.RetryCount)).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return $"attempt {twice.Key.RetryCount} of occurrence {twice.Key.OccurrenceKey} ran {twice.Count()} times: {string.Join(", ", twice.Select(r => r.ExecutionId))}";
        }
        if (sim.Runs.Values.FirstOrDefault(r => r.RetryCount > sim.MaxRetries) is { } beyond)
        {
            return $"attempt {beyond.RetryCount} of {beyond.OccurrenceKey} ran, past the job's {sim.MaxRetries} retries";
        }
        var job = sim.Job();
        var rows = sim.Rows();
        var signature = (job.LastScheduledFor, rows.Count, job.Version);
        if (sim.LastChecked == signature)
        {
            return null;
        }
        sim.LastChecked = signature;
        if (job.Version != sim.ViewVersion || job.LastScheduledFor is not { } through)
        {
            return null; // an admin change whose reply was lost: the view catches up at the next change
        }
        return Unrecorded(sim, rows, sim.SegmentStart, through) is { } gap
            ? $"lastScheduledFor is {through:HH:mm:ss.fff} but occurrence {gap:HH:mm:ss.fff} has no row"
            : null;
    }

    public static IEnumerable<string> CheckAtEnd(LedgerSimulation sim)
    {
        ArgumentNullException.ThrowIfNull(sim);
        var rows = sim.Rows();
        // Still claimed or running is fine while a live silo holds the lease; not past its expiry and a sweep.
        foreach (var row in rows.Where(r => r.Status.IsActive() && r.LeaseExpiresAt < sim.Now - LedgerSimulation.SweepEvery))
        {
            yield return $"{row.OccurrenceKey} is still {row.Status}, its lease expired at {row.LeaseExpiresAt:HH:mm:ss.fff}";
        }
        // The last few seconds may still wait: a due occurrence queued (run_all) behind the longest run lets that run end first.
        if (sim.Enabled && !sim.PausedAtEnd && Unrecorded(sim, rows, sim.SegmentStart, sim.Now - LedgerSimulation.LongestRun - TimeSpan.FromSeconds(1)) is { } lost)
        {
            yield return $"occurrence {lost:HH:mm:ss.fff} was never run nor recorded";
        }
        foreach (var row in rows)
        {
            sim.Runs.TryGetValue(row.Id, out var run);
            var truth = (row.Status, run?.Code) switch
            {
                // A silo that died while writing an end may or may not have committed it: either the end or abandoned is true.
                (ExecutionStatus.Succeeded, RunOutcome.Succeeded) or (ExecutionStatus.Failed, RunOutcome.Failed) => null,
                (ExecutionStatus.Succeeded or ExecutionStatus.Failed, _) => $"says {row.Status} but its run {(run is null ? "never started" : run.Code is null ? "never ended" : $"ended {run.Code}")}",
                (ExecutionStatus.Abandoned, RunOutcome.Succeeded or RunOutcome.Failed) when run!.Outcome != RunOutcome.Killed =>
                    $"says abandoned but its run ended {run.Code} on a live silo",
                (ExecutionStatus.Skipped or ExecutionStatus.Missed, _) when run is not null => $"says {row.Status} but its run started",
                // A claim at the instant carries its start time: abandoned with a start it never had (its claim's reply was lost
                // and the occurrence was then planned as missed or skipped, leaving the claimed row to expire).
                (ExecutionStatus.Abandoned, _) when run is null && row.StartedAt is not null => "says abandoned after starting, but no run ever started",
                _ => null,
            };
            if (truth is not null)
            {
                yield return $"row of {row.OccurrenceKey} ({row.Id}) {truth}";
            }
        }
        // A trigger answered "started" names a run that ran; or, when the activation that held it went before starting it (its
        // answer lost, the caller's retry answered by another activation), a row that says it ended without running or that
        // its silo died: the caller who looks sees that, and a retry with the key after a skip runs anew. Never a row still
        // open, or one that says it ran.
        foreach (var answer in sim.TriggerAnswers.Where(a => !sim.Runs.ContainsKey(a.ExecutionId)).DistinctBy(a => a.ExecutionId))
        {
            var row = rows.FirstOrDefault(r => r.Id == answer.ExecutionId);
            if (row is { Status: ExecutionStatus.Skipped or ExecutionStatus.Abandoned, StartedAt: null })
            {
                continue;
            }
            yield return $"a trigger{(answer.Key is { } k ? $" with key {k}" : "")} was answered started with {answer.ExecutionId}, which never ran (its row: {row?.Status.ToString() ?? "none"})";
        }
        var ids = rows.Select(r => r.Id).ToHashSet();
        foreach (var run in sim.Runs.Values.Where(r => !ids.Contains(r.ExecutionId)))
        {
            yield return $"run {run.ExecutionId} of {run.OccurrenceKey} has no row";
        }
    }

    /// <summary>The first occurrence in (from, through] with neither a row nor a summary row that stands for it.</summary>
    private static DateTimeOffset? Unrecorded(LedgerSimulation sim, IReadOnlyList<ExecutionRecord> rows, DateTimeOffset from, DateTimeOffset through)
    {
        var keys = rows.Select(r => r.OccurrenceKey).ToHashSet(StringComparer.Ordinal);
        var summaries = rows.Where(r => r.Status == ExecutionStatus.Missed && r.StatusReason is not null)
            .Select(r => SummaryRange().Match(r.StatusReason!)).Where(m => m.Success)
            .Select(m => (From: DateTimeOffset.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), To: DateTimeOffset.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))
            .ToList();
        foreach (var occurrence in sim.Schedule.Between(from, through))
        {
            if (!keys.Contains(OccurrenceKeys.Scheduled(occurrence)) && !summaries.Any(s => s.From <= occurrence && occurrence <= s.To))
            {
                return occurrence;
            }
        }
        return null;
    }

    [GeneratedRegex(@"occurrences from (\S+) to (\S+) were missed")]
    private static partial Regex SummaryRange();
}
