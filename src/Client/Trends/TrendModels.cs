namespace Totallator.Client;

/// <summary>A period of a trend, ending now.</summary>
public enum TrendPeriod
{
    /// <summary>The last 24 hours, hourly buckets (<c>24h</c>).</summary>
    Hours24,
    /// <summary>The last 7 UTC days, daily buckets (<c>7d</c>).</summary>
    Days7,
    /// <summary>The last 30 UTC days (<c>30d</c>).</summary>
    Days30,
    /// <summary>The last 365 UTC days (<c>1y</c>).</summary>
    Year,
}

/// <summary>The bucket size of a trend.</summary>
public enum TrendBucketSize
{
    /// <summary>An hour.</summary>
    Hour,
    /// <summary>A UTC day.</summary>
    Day,
}

/// <summary>A job's roll-ups over a period: one bucket per hour or UTC day, oldest first, and totals.</summary>
public sealed record JobTrend
{
    /// <summary>The job.</summary>
    public string Slug { get; init; } = "";
    /// <summary><c>24h</c>, <c>7d</c>, <c>30d</c> or <c>1y</c>.</summary>
    public string Period { get; init; } = "";
    /// <summary>The buckets' size.</summary>
    public TrendBucketSize BucketSize { get; init; }
    /// <summary>The start of the first bucket.</summary>
    public DateTimeOffset From { get; init; }
    /// <summary>The end of the last bucket (exclusive).</summary>
    public DateTimeOffset To { get; init; }
    /// <summary>Every bucket of the period.</summary>
    public IReadOnlyList<TrendBucket> Buckets { get; init; } = [];
    /// <summary>The period's totals.</summary>
    public TrendTotals Totals { get; init; } = new();
    /// <summary>When the last roll-up pass ended; null when none has run yet.</summary>
    public DateTimeOffset? ComputedAt { get; init; }
}

/// <summary>One hour or UTC day of a job.</summary>
public sealed record TrendBucket
{
    /// <summary>The bucket's start.</summary>
    public DateTimeOffset Start { get; init; }
    /// <summary>Ended attempts, whatever their status.</summary>
    public int Runs { get; init; }
    /// <summary>Succeeded attempts.</summary>
    public int Succeeded { get; init; }
    /// <summary>Failed attempts.</summary>
    public int Failed { get; init; }
    /// <summary>Timed-out attempts.</summary>
    public int TimedOut { get; init; }
    /// <summary>Abandoned attempts.</summary>
    public int Abandoned { get; init; }
    /// <summary>Skipped occurrences.</summary>
    public int Skipped { get; init; }
    /// <summary>Missed occurrences.</summary>
    public int Missed { get; init; }
    /// <summary>Succeeded over the attempts that ran to an outcome.</summary>
    public double? SuccessRate { get; init; }
    /// <summary>Median duration.</summary>
    public double? DurationP50Ms { get; init; }
    /// <summary>95th percentile duration.</summary>
    public double? DurationP95Ms { get; init; }
    /// <summary>Longest duration.</summary>
    public long? DurationMaxMs { get; init; }
    /// <summary>Median lateness of scheduled starts.</summary>
    public double? LatenessP50Ms { get; init; }
    /// <summary>99th percentile lateness.</summary>
    public double? LatenessP99Ms { get; init; }
    /// <summary>Memory peak.</summary>
    public double? MemoryPeakMb { get; init; }
    /// <summary>CPU peak.</summary>
    public double? CpuPeakPercent { get; init; }
}

/// <summary>A period's totals.</summary>
public sealed record TrendTotals
{
    /// <summary>Ended attempts.</summary>
    public int Runs { get; init; }
    /// <summary>Succeeded attempts.</summary>
    public int Succeeded { get; init; }
    /// <summary>Failed attempts.</summary>
    public int Failed { get; init; }
    /// <summary>Timed-out attempts.</summary>
    public int TimedOut { get; init; }
    /// <summary>Abandoned attempts.</summary>
    public int Abandoned { get; init; }
    /// <summary>Skipped occurrences.</summary>
    public int Skipped { get; init; }
    /// <summary>Missed occurrences.</summary>
    public int Missed { get; init; }
    /// <summary>Succeeded over the attempts that ran to an outcome.</summary>
    public double? SuccessRate { get; init; }
    /// <summary>Longest duration.</summary>
    public long? DurationMaxMs { get; init; }
    /// <summary>The highest bucket p95 duration.</summary>
    public double? WorstDurationP95Ms { get; init; }
    /// <summary>The highest bucket p99 lateness.</summary>
    public double? WorstLatenessP99Ms { get; init; }
    /// <summary>Memory peak.</summary>
    public double? MemoryPeakMb { get; init; }
    /// <summary>CPU peak.</summary>
    public double? CpuPeakPercent { get; init; }
}

/// <summary>Every job's failure rate over a period.</summary>
public sealed record FailureRates
{
    /// <summary>The period's name.</summary>
    public string Period { get; init; } = "";
    /// <summary>Start.</summary>
    public DateTimeOffset From { get; init; }
    /// <summary>End (exclusive).</summary>
    public DateTimeOffset To { get; init; }
    /// <summary>Every job, by slug.</summary>
    public IReadOnlyList<JobFailureRate> Jobs { get; init; } = [];
    /// <summary>When the last roll-up pass ended.</summary>
    public DateTimeOffset? ComputedAt { get; init; }
}

/// <summary>A job's failure rate over a period.</summary>
public sealed record JobFailureRate
{
    /// <summary>The job.</summary>
    public string Slug { get; init; } = "";
    /// <summary>Ended attempts.</summary>
    public int Runs { get; init; }
    /// <summary>Attempts that ran to an outcome.</summary>
    public int Outcomes { get; init; }
    /// <summary>Failed, timed out or abandoned.</summary>
    public int Failures { get; init; }
    /// <summary>Failures over outcomes; null when nothing ran.</summary>
    public double? FailureRate { get; init; }
}
