using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Analytics;

/// <summary>Builds the trend answers from roll-up rows; pure.</summary>
public static class TrendViews
{
    /// <summary>The buckets a period covers at <paramref name="now"/>: the last 24 hours, or the last n UTC days, the current one included.</summary>
    public static (DateTimeOffset From, DateTimeOffset To) Range(TrendPeriod period, DateTimeOffset now)
    {
        var size = period.BucketSize();
        var to = RollupPlanner.Floor(now, size) + RollupPlanner.Width(size);
        return (to - RollupPlanner.Width(size) * period.BucketCount(), to);
    }

    /// <summary>A job's trend: every bucket of the period, an empty one where no roll-up exists, and the totals.</summary>
    public static JobTrend Trend(string slug, TrendPeriod period, DateTimeOffset now, IReadOnlyList<TrendBucket> rows, DateTimeOffset? computedAt)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var size = period.BucketSize();
        var (from, to) = Range(period, now);
        var byStart = rows.ToDictionary(r => r.Start.ToUniversalTime());
        var buckets = new List<TrendBucket>(period.BucketCount());
        for (var start = from; start < to; start += RollupPlanner.Width(size))
        {
            buckets.Add(byStart.GetValueOrDefault(start) ?? new TrendBucket { Start = start });
        }
        return new JobTrend
        {
            Slug = slug, Period = period.ToText(), BucketSize = size, From = from, To = to, Buckets = buckets, Totals = Totals(buckets),
            ComputedAt = computedAt,
        };
    }

    public static TrendTotals Totals(IReadOnlyList<TrendBucket> buckets)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        int succeeded = buckets.Sum(b => b.Succeeded), failed = buckets.Sum(b => b.Failed), timedOut = buckets.Sum(b => b.TimedOut),
            abandoned = buckets.Sum(b => b.Abandoned);
        return new TrendTotals
        {
            Runs = buckets.Sum(b => b.Runs), Succeeded = succeeded, Failed = failed, TimedOut = timedOut, Abandoned = abandoned,
            Skipped = buckets.Sum(b => b.Skipped), Missed = buckets.Sum(b => b.Missed),
            SuccessRate = SuccessRate(succeeded, succeeded + failed + timedOut + abandoned),
            DurationMaxMs = buckets.Max(b => b.DurationMaxMs),
            WorstDurationP95Ms = buckets.Max(b => b.DurationP95Ms),
            WorstLatenessP99Ms = buckets.Max(b => b.LatenessP99Ms),
            MemoryPeakMb = buckets.Max(b => b.MemoryPeakMb),
            CpuPeakPercent = buckets.Max(b => b.CpuPeakPercent),
        };
    }

    /// <summary>Succeeded over the attempts that ran to an outcome; null without any.</summary>
    public static double? SuccessRate(int succeeded, int outcomes) => outcomes == 0 ? null : (double)succeeded / outcomes;

    /// <summary>Every job's failure rate (by slug), those without roll-ups in the period with none.</summary>
    public static FailureRates FailureRates(TrendPeriod period, DateTimeOffset now, IEnumerable<(Guid Id, string Slug)> jobs,
        IReadOnlyDictionary<Guid, RollupCounts> counts, DateTimeOffset? computedAt)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var (from, to) = Range(period, now);
        return new FailureRates
        {
            Period = period.ToText(), From = from, To = to, ComputedAt = computedAt,
            Jobs = jobs.OrderBy(j => j.Slug, StringComparer.Ordinal).Select(j =>
            {
                var c = counts.GetValueOrDefault(j.Id) ?? new RollupCounts(0, 0, 0);
                return new JobFailureRate
                {
                    Slug = j.Slug, Runs = c.Runs, Outcomes = c.Outcomes, Failures = c.Failures,
                    FailureRate = c.Outcomes == 0 ? null : (double)c.Failures / c.Outcomes,
                };
            }).ToList(),
        };
    }
}
