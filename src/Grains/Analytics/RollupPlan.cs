using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Analytics;

/// <summary>
/// What a roll-up pass keeps (days of daily buckets, days of hourly ones), how far back it looks for late ends, and how soon
/// after another pass it is worth running (<see cref="MinimumSpacing"/>: every silo asks each interval, and one that gets the lock
/// right after another silo's pass would only redo it).
/// </summary>
public sealed record RollupPolicy(int KeepDays, int HourlyKeepDays, TimeSpan LateEndGrace, TimeSpan MinimumSpacing = default);

/// <summary>A range of buckets of one size that a pass recomputes from the history: every bucket starting in [From, To).</summary>
public sealed record RollupWindow(TrendBucketSize Size, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// One pass's work: the windows to recompute, oldest first, and the bucket starts before which roll-ups are deleted.
/// </summary>
public sealed record RollupPlan(IReadOnlyList<RollupWindow> Windows, DateTimeOffset KeepDaysFrom, DateTimeOffset KeepHoursFrom);

/// <summary>
/// Which buckets a roll-up pass recomputes; pure, so the rules are tested apart from the stores that follow them.
/// </summary>
/// <remarks>
/// <para>A bucket can change only while ends land in it. Ends land at about the time they happen, a moment later when batched,
/// up to <see cref="RollupPolicy.LateEndGrace"/> later in the worst case. So a pass recomputes the buckets from the one holding
/// (last pass − grace) to the current one: with a 5-minute interval and a 10-minute grace, one or two hours and one day (two
/// around midnight). The first pass ever (no last pass) back-fills every bucket still kept.</para>
/// <para>It never recomputes a bucket that starts before the history cleanup's latest cutoff: the cleanup deletes every ended
/// row whose <c>completedAt</c> is before its cutoff, so such a bucket may have lost rows, and recomputing it would undercount.
/// Its roll-up, computed while the bucket was whole, stays as it is. Every bucket from the cutoff on is whole.</para>
/// <para>Buckets before the history's first end hold no row: they are left out, so the first pass of a new cluster is a few
/// statements, not one per kept day.</para>
/// </remarks>
public static class RollupPlanner
{
    /// <summary>Daily windows are one day each and hourly ones one day of hours, so a back-fill is many short statements.</summary>
    public static readonly TimeSpan ChunkLength = TimeSpan.FromDays(1);

    /// <summary>Whether a pass at <paramref name="now"/> is due: none yet, or the last one at least the policy's spacing ago.</summary>
    public static bool IsDue(DateTimeOffset now, DateTimeOffset? lastPassAt, RollupPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return lastPassAt is not { } last || now - last >= policy.MinimumSpacing;
    }

    public static TimeSpan Width(TrendBucketSize size) => size == TrendBucketSize.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);

    /// <summary>The start of the UTC hour or day holding <paramref name="instant"/>.</summary>
    public static DateTimeOffset Floor(DateTimeOffset instant, TrendBucketSize size)
    {
        var utc = instant.ToUniversalTime();
        return size == TrendBucketSize.Hour
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>The first bucket start at or after <paramref name="instant"/>.</summary>
    public static DateTimeOffset Ceiling(DateTimeOffset instant, TrendBucketSize size)
    {
        var floor = Floor(instant, size);
        return floor == instant ? floor : floor + Width(size);
    }

    /// <summary>
    /// The plan of a pass at <paramref name="now"/> (database time) after one at <paramref name="lastPassAt"/> (null: never),
    /// when the history cleanup has deleted every ended row before <paramref name="cleanedBefore"/> (null: it never deleted any)
    /// and the history's earliest end is <paramref name="firstEnd"/> (null: no row has ended).
    /// </summary>
    public static RollupPlan Plan(DateTimeOffset now, DateTimeOffset? lastPassAt, DateTimeOffset? cleanedBefore, DateTimeOffset? firstEnd, RollupPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var keepDaysFrom = Floor(now, TrendBucketSize.Day).AddDays(-(policy.KeepDays - 1));
        var keepHoursFrom = Floor(now, TrendBucketSize.Hour).AddDays(-policy.HourlyKeepDays);
        var windows = new List<RollupWindow>();
        if (firstEnd is { } first)
        {
            windows.AddRange(Windows(TrendBucketSize.Day, now, lastPassAt, cleanedBefore, first, keepDaysFrom, policy.LateEndGrace));
            windows.AddRange(Windows(TrendBucketSize.Hour, now, lastPassAt, cleanedBefore, first, keepHoursFrom, policy.LateEndGrace));
        }
        return new RollupPlan(windows, keepDaysFrom, keepHoursFrom);
    }

    private static IEnumerable<RollupWindow> Windows(TrendBucketSize size, DateTimeOffset now, DateTimeOffset? lastPassAt, DateTimeOffset? cleanedBefore,
        DateTimeOffset firstEnd, DateTimeOffset keepFrom, TimeSpan grace)
    {
        var to = Floor(now, size) + Width(size);
        var from = Max(Max(lastPassAt is { } last ? Floor(last - grace, size) : keepFrom, keepFrom), Floor(firstEnd, size));
        if (cleanedBefore is { } cutoff)
        {
            from = Max(from, Ceiling(cutoff, size));
        }
        for (var start = from; start < to; start += ChunkLength)
        {
            yield return new RollupWindow(size, start, Min(start + ChunkLength, to));
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
