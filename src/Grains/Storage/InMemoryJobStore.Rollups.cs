using System.Diagnostics;
using System.Text.Json.Nodes;
using Totallator.Grains.Analytics;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The roll-ups in memory: the same plan and the same figures as PostgreSQL (percentile_cont), under the store's one lock.</summary>
public sealed partial class InMemoryJobStore : IRollupStore
{
    private readonly Dictionary<(Guid Job, TrendBucketSize Size, DateTimeOffset Start), TrendBucket> _rollups = [];
    private RollupPassRecord? _lastPass;

    public Task<RollupPassResult?> RunPassAsync(RollupPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var watch = Stopwatch.StartNew();
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            if (!RollupPlanner.IsDue(now, _lastPass?.At, policy))
            {
                return Task.FromResult<RollupPassResult?>(null);
            }
            var ended = _executions.Values.Where(e => !e.Status.IsActive() && e.CompletedAt is not null).ToList();
            DateTimeOffset? firstEnd = ended.Count == 0 ? null : ended.Min(e => e.CompletedAt!.Value);
            var plan = RollupPlanner.Plan(now, _lastPass?.At, CleanedBefore(), firstEnd, policy);
            int written = 0, deleted = 0;
            var jobIds = _jobs.Values.Select(j => j.Id).ToHashSet();
            foreach (var window in plan.Windows)
            {
                var fresh = ended
                    .Where(e => e.CompletedAt >= window.From && e.CompletedAt < window.To && jobIds.Contains(e.CronJobId))
                    .GroupBy(e => (e.CronJobId, RollupPlanner.Floor(e.CompletedAt!.Value, window.Size)))
                    .ToDictionary(g => (g.Key.CronJobId, window.Size, g.Key.Item2), g => Bucket(g.Key.Item2, g.ToList()));
                foreach (var stale in _rollups.Keys.Where(k => k.Size == window.Size && k.Start >= window.From && k.Start < window.To && !fresh.ContainsKey(k)).ToList())
                {
                    _rollups.Remove(stale);
                    deleted++;
                }
                foreach (var (key, bucket) in fresh)
                {
                    _rollups[key] = bucket;
                    written++;
                }
            }
            foreach (var expired in _rollups.Keys.Where(k => k.Start < (k.Size == TrendBucketSize.Day ? plan.KeepDaysFrom : plan.KeepHoursFrom)).ToList())
            {
                _rollups.Remove(expired);
                deleted++;
            }
            _lastPass = new RollupPassRecord(now, watch.Elapsed, written, deleted);
            return Task.FromResult<RollupPassResult?>(new RollupPassResult(now, plan.Windows.Count, written, deleted, watch.Elapsed));
        }
    }

    public Task<IReadOnlyList<TrendBucket>> ReadBucketsAsync(Guid jobId, TrendBucketSize size, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<TrendBucket>>(_rollups
                .Where(r => r.Key.Job == jobId && r.Key.Size == size && r.Key.Start >= from && r.Key.Start < to)
                .OrderBy(r => r.Key.Start).Select(r => r.Value).ToList());
        }
    }

    public Task<IReadOnlyDictionary<Guid, RollupCounts>> ReadCountsAsync(TrendBucketSize size, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyDictionary<Guid, RollupCounts>>(_rollups
                .Where(r => r.Key.Size == size && r.Key.Start >= from && r.Key.Start < to)
                .GroupBy(r => r.Key.Job)
                .ToDictionary(g => g.Key, g => new RollupCounts(
                    g.Sum(r => r.Value.Runs),
                    g.Sum(r => r.Value.Succeeded + r.Value.Failed + r.Value.TimedOut + r.Value.Abandoned),
                    g.Sum(r => r.Value.Failed + r.Value.TimedOut + r.Value.Abandoned))));
        }
    }

    public Task<RollupPassRecord?> ReadLastPassAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_lastPass);
        }
    }

    /// <summary>The history cleanup's latest cutoff, from its audit rows as PostgreSQL reads it (caller holds the lock).</summary>
    private DateTimeOffset? CleanedBefore()
    {
        DateTimeOffset? cutoff = null;
        foreach (var entry in _audit.Where(a => a.Action == "executions.cleanup" && a.NewValuesJson is not null))
        {
            if (JsonNode.Parse(entry.NewValuesJson!)?["olderThanDays"] is JsonValue days && days.TryGetValue<int>(out var d)
                && entry.At.AddDays(-d) is var at && (cutoff is null || at > cutoff))
            {
                cutoff = at;
            }
        }
        return cutoff;
    }

    /// <summary>One bucket's figures from its rows, as PostgresRollupStore's statement computes them.</summary>
    private static TrendBucket Bucket(DateTimeOffset start, List<ExecutionRecord> rows)
    {
        static bool Ran(ExecutionStatus s) => s is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned;
        int Count(ExecutionStatus s) => rows.Count(r => r.Status == s);
        var durations = rows.Where(r => Ran(r.Status) && r.DurationMs is not null).Select(r => (double)r.DurationMs!.Value).Order().ToList();
        var lateness = rows.Where(r => r.TriggeredBy == TriggerSource.Scheduler && r.StartedAt is not null)
            .Select(r => (r.StartedAt!.Value - r.ScheduledFor).TotalMilliseconds).Order().ToList();
        int succeeded = Count(ExecutionStatus.Succeeded), failed = Count(ExecutionStatus.Failed), timedOut = Count(ExecutionStatus.TimedOut),
            abandoned = Count(ExecutionStatus.Abandoned);
        return new TrendBucket
        {
            Start = start, Runs = rows.Count, Succeeded = succeeded, Failed = failed, TimedOut = timedOut, Abandoned = abandoned,
            Skipped = Count(ExecutionStatus.Skipped), Missed = Count(ExecutionStatus.Missed),
            SuccessRate = TrendViews.SuccessRate(succeeded, succeeded + failed + timedOut + abandoned),
            DurationP50Ms = Percentile(durations, 0.5), DurationP95Ms = Percentile(durations, 0.95),
            DurationMaxMs = rows.Where(r => Ran(r.Status)).Max(r => r.DurationMs),
            LatenessP50Ms = Percentile(lateness, 0.5), LatenessP99Ms = Percentile(lateness, 0.99),
            MemoryPeakMb = rows.Max(r => r.MemoryUsageMb), CpuPeakPercent = rows.Max(r => r.CpuUsagePercent),
        };
    }
}
