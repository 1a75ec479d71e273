using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Analytics;

/// <summary>
/// The roll-ups of job history (docs/analytics.md): written by the pass, read by the trend views. Implemented by PostgreSQL
/// (<see cref="Storage.PostgresRollupStore"/>) and in memory (<see cref="Storage.InMemoryJobStore"/>), which pass the same
/// contract tests.
/// </summary>
public interface IRollupStore
{
    /// <summary>
    /// One roll-up pass at the store's clock, by <see cref="RollupPlanner.Plan"/>: recomputes the buckets that can still
    /// change (all kept ones, on the first pass), deletes those past their keep, and records the pass. Only one runs at a time
    /// across the cluster; null when another holds the lock (that one does the work) or passed within the policy's spacing.
    /// </summary>
    Task<RollupPassResult?> RunPassAsync(RollupPolicy policy, CancellationToken cancellationToken);

    /// <summary>One job's buckets of a size starting in [<paramref name="from"/>, <paramref name="to"/>), oldest first; empty buckets are absent.</summary>
    Task<IReadOnlyList<TrendBucket>> ReadBucketsAsync(Guid jobId, TrendBucketSize size, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Every job's counts summed over its buckets of a size starting in [<paramref name="from"/>, <paramref name="to"/>); jobs without any are absent.</summary>
    Task<IReadOnlyDictionary<Guid, RollupCounts>> ReadCountsAsync(TrendBucketSize size, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The last pass, or null when none has run.</summary>
    Task<RollupPassRecord?> ReadLastPassAsync(CancellationToken cancellationToken);
}

/// <summary>What a pass did: at which store time, how many windows it recomputed, buckets written and deleted, how long it took.</summary>
public sealed record RollupPassResult(DateTimeOffset At, int Windows, int BucketsWritten, int BucketsDeleted, TimeSpan Duration);

/// <summary>The last pass as recorded (<c>cronRollupPass</c>).</summary>
public sealed record RollupPassRecord(DateTimeOffset At, TimeSpan Duration, int BucketsWritten, int BucketsDeleted);

/// <summary>A job's ended attempts over some buckets: all of them, those that ran to an outcome, and the failures among those.</summary>
public sealed record RollupCounts(int Runs, int Outcomes, int Failures);
