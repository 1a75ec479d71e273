using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The statistics rows and the job list of the development mode, as PostgreSQL keeps and reads them (0016).</summary>
public sealed partial class InMemoryJobStore
{
    private readonly Dictionary<Guid, JobStatsRow> _stats = [];

    /// <summary>As <c>CountStats</c> in PostgreSQL (caller holds the lock): one ended attempt, final or not.</summary>
    private void CountStats(ExecutionRecord ended)
    {
        if (!_stats.TryGetValue(ended.CronJobId, out var row))
        {
            _stats[ended.CronJobId] = row = new JobStatsRow();
        }
        row.Apply(ended, JobById(ended.CronJobId)?.Slug ?? "");
    }

    public Task<JobListRows> ListJobPageAsync(JobListQuery query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var running = _executions.Values.Where(e => e.Status == ExecutionStatus.Running).ToLookup(e => e.CronJobId);
            var upstreamsOfAny = _jobs.Values.SelectMany(j => j.After.Select(u => u.Slug)).ToHashSet(StringComparer.Ordinal);
            var matching = _jobs.Values.Where(j => JobListSearch.Matches(j, query.Search)
                    && (query.Source is null || j.Source == query.Source)
                    && (query.States is null || query.States.Any(s => InState(j, s, running[j.Id].Any())))
                    && (query.Outcome is null || HasOutcome(query.Outcome.Value, _stats.GetValueOrDefault(j.Id)?.LastRun, running[j.Id].Any()))
                    && (query.Chain is null || (j.After.Count > 0 || upstreamsOfAny.Contains(j.Slug)) == query.Chain))
                .ToList();
            var ordered = Order(matching, query, now).Skip(query.Offset).Take(query.Limit).ToList();
            var pageSlugs = ordered.Select(j => j.Slug).ToHashSet(StringComparer.Ordinal);
            var upstreams = ordered.SelectMany(j => j.After.Select(u => u.Slug)).ToHashSet(StringComparer.Ordinal);
            var neighbours = _jobs.Values.Where(j => upstreams.Contains(j.Slug) || j.After.Any(u => pageSlugs.Contains(u.Slug)))
                .Select(j => new DependencyNode(j.Slug, j.IsEnabled, j.IsOrphaned, j.InvalidReason, j.After)).ToList();
            var rows = ordered.Select(j => new JobListRow(j, Copy(_stats.GetValueOrDefault(j.Id), j.Slug),
                running[j.Id].OrderBy(e => e.ScheduledFor).Select(e => Summary(e, j.Slug)).ToList())).ToList();
            return Task.FromResult(new JobListRows(rows, matching.Count, neighbours));
        }
    }

    private static bool InState(JobRecord j, JobListState state, bool running) => state switch
    {
        JobListState.Enabled => j.IsEnabled && j.DeletedAt is null,
        JobListState.Disabled => !j.IsEnabled,
        JobListState.Paused => j.PausedReason is not null,
        JobListState.Invalid => j.InvalidReason is not null,
        JobListState.Failing => j.FailureStreak > 0,
        JobListState.Orphaned => j.IsOrphaned && j.DeletedAt is null,
        JobListState.Deleted => j.DeletedAt is not null,
        JobListState.Running => running,
        _ => false,
    };

    private static bool HasOutcome(JobListOutcome outcome, ExecutionSummary? last, bool running) => outcome switch
    {
        JobListOutcome.Succeeded => last?.Status == ExecutionStatus.Succeeded,
        JobListOutcome.Failures => last?.Status is ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned,
        _ => last is null && !running,
    };

    /// <summary>As PostgreSQL orders (ordinal slugs; names as the database's collation would, approximated by ordinal).</summary>
    private IEnumerable<JobRecord> Order(List<JobRecord> jobs, JobListQuery query, DateTimeOffset now)
    {
        JobStatsRow? Stats(JobRecord j) => _stats.GetValueOrDefault(j.Id);
        var bySlug = StringComparer.Ordinal;
        return query.Sort switch
        {
            JobListSort.Name => query.Descending
                ? jobs.OrderByDescending(j => j.Name, StringComparer.Ordinal).ThenByDescending(j => j.Slug, bySlug)
                : jobs.OrderBy(j => j.Name, StringComparer.Ordinal).ThenBy(j => j.Slug, bySlug),
            JobListSort.LastRun => NullsLast(jobs, j => Stats(j)?.LastRun?.ScheduledFor, query.Descending),
            JobListSort.SuccessRate => NullsLast(jobs, j => Stats(j)?.ToStatistics(now).SuccessRate, query.Descending),
            JobListSort.Runs => query.Descending
                ? jobs.OrderByDescending(j => Stats(j)?.ToStatistics(now).RunsLast24Hours ?? 0).ThenBy(j => j.Slug, bySlug)
                : jobs.OrderBy(j => Stats(j)?.ToStatistics(now).RunsLast24Hours ?? 0).ThenBy(j => j.Slug, bySlug),
            _ => query.Descending ? jobs.OrderByDescending(j => j.Slug, bySlug) : jobs.OrderBy(j => j.Slug, bySlug),
        };
    }

    private static IEnumerable<JobRecord> NullsLast<T>(List<JobRecord> jobs, Func<JobRecord, T?> key, bool descending) where T : struct
    {
        var known = jobs.Where(j => key(j) is not null);
        var ordered = descending ? known.OrderByDescending(j => key(j)!.Value) : known.OrderBy(j => key(j)!.Value);
        return ordered.ThenBy(j => j.Slug, StringComparer.Ordinal).Concat(jobs.Where(j => key(j) is null).OrderBy(j => j.Slug, StringComparer.Ordinal));
    }

    /// <summary>A copy for the caller, read outside the lock.</summary>
    private static JobStatsRow? Copy(JobStatsRow? row, string slug)
    {
        if (row is null)
        {
            return null;
        }
        var copy = new JobStatsRow { Outcomes = row.Outcomes, HourRing = (long?[])row.HourRing.Clone(), LastRun = row.LastRun is { } l ? l with { JobSlug = slug } : null };
        copy.RecentDurations.AddRange(row.RecentDurations);
        return copy;
    }
}
