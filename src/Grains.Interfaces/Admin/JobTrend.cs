namespace Totallator.Grains.Interfaces.Admin;

/// <summary>
/// A job's roll-ups over a period (docs/analytics.md): one bucket per hour or UTC day, oldest first, every bucket of the period
/// present (an empty one has no runs), and totals. The figures come from the roll-ups, so they reach back past the history's
/// retention; the current bucket is as fresh as the last roll-up pass (<see cref="ComputedAt"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("totallator.job-trend")]
public sealed record JobTrend
{
    [Id(0)] public required string Slug { get; init; }
    /// <summary>The period's name: <c>24h</c>, <c>7d</c>, <c>30d</c> or <c>1y</c>.</summary>
    [Id(1)] public required string Period { get; init; }
    [Id(2)] public required TrendBucketSize BucketSize { get; init; }
    /// <summary>The start of the first bucket (UTC).</summary>
    [Id(3)] public required DateTimeOffset From { get; init; }
    /// <summary>The end of the last bucket (exclusive, UTC).</summary>
    [Id(4)] public required DateTimeOffset To { get; init; }
    [Id(5)] public required IReadOnlyList<TrendBucket> Buckets { get; init; }
    [Id(6)] public required TrendTotals Totals { get; init; }
    /// <summary>When the last roll-up pass ended (database clock); null when none has run yet.</summary>
    [Id(7)] public DateTimeOffset? ComputedAt { get; init; }
}

/// <summary>
/// One hour or UTC day of a job: its ended attempts by status (by when they ended), durations of the attempts that ran, the
/// lateness of its scheduled starts, and the peaks of memory and CPU. Percentiles are exact (PostgreSQL's
/// <c>percentile_cont</c> over the bucket's rows); figures are null when no row had them.
/// </summary>
[GenerateSerializer, Immutable, Alias("totallator.trend-bucket")]
public sealed record TrendBucket
{
    [Id(0)] public required DateTimeOffset Start { get; init; }
    /// <summary>Ended attempts in the bucket, whatever their status (the sum of the six counts below).</summary>
    [Id(1)] public int Runs { get; init; }
    [Id(2)] public int Succeeded { get; init; }
    [Id(3)] public int Failed { get; init; }
    [Id(4)] public int TimedOut { get; init; }
    [Id(5)] public int Abandoned { get; init; }
    [Id(6)] public int Skipped { get; init; }
    [Id(7)] public int Missed { get; init; }
    /// <summary>Succeeded over the attempts that ran to an outcome (succeeded, failed, timed out, abandoned), 0..1; null without any.</summary>
    [Id(8)] public double? SuccessRate { get; init; }
    [Id(9)] public double? DurationP50Ms { get; init; }
    [Id(10)] public double? DurationP95Ms { get; init; }
    [Id(11)] public long? DurationMaxMs { get; init; }
    /// <summary>How late scheduled attempts started (startedAt − scheduledFor), of attempts the scheduler started.</summary>
    [Id(12)] public double? LatenessP50Ms { get; init; }
    [Id(13)] public double? LatenessP99Ms { get; init; }
    [Id(14)] public double? MemoryPeakMb { get; init; }
    [Id(15)] public double? CpuPeakPercent { get; init; }
}

/// <summary>
/// A period's totals: counts add up exactly, maxima are the buckets' maxima. Percentiles do not add up from buckets, so the
/// totals carry none; the worst bucket's p95 duration and p99 lateness stand in for them.
/// </summary>
[GenerateSerializer, Immutable, Alias("totallator.trend-totals")]
public sealed record TrendTotals
{
    [Id(0)] public int Runs { get; init; }
    [Id(1)] public int Succeeded { get; init; }
    [Id(2)] public int Failed { get; init; }
    [Id(3)] public int TimedOut { get; init; }
    [Id(4)] public int Abandoned { get; init; }
    [Id(5)] public int Skipped { get; init; }
    [Id(6)] public int Missed { get; init; }
    [Id(7)] public double? SuccessRate { get; init; }
    [Id(8)] public long? DurationMaxMs { get; init; }
    /// <summary>The highest p95 duration among the buckets.</summary>
    [Id(9)] public double? WorstDurationP95Ms { get; init; }
    /// <summary>The highest p99 lateness among the buckets.</summary>
    [Id(10)] public double? WorstLatenessP99Ms { get; init; }
    [Id(11)] public double? MemoryPeakMb { get; init; }
    [Id(12)] public double? CpuPeakPercent { get; init; }
}

/// <summary>A job's failure rate over a period, from its roll-ups: failed, timed out and abandoned over the attempts that ran.</summary>
[GenerateSerializer, Immutable, Alias("totallator.job-failure-rate")]
public sealed record JobFailureRate
{
    [Id(0)] public required string Slug { get; init; }
    /// <summary>Ended attempts in the period, whatever their status.</summary>
    [Id(1)] public int Runs { get; init; }
    /// <summary>Attempts that ran to an outcome (succeeded, failed, timed out, abandoned).</summary>
    [Id(2)] public int Outcomes { get; init; }
    /// <summary>Failed, timed out or abandoned.</summary>
    [Id(3)] public int Failures { get; init; }
    /// <summary>Failures over outcomes, 0..1; null when nothing ran.</summary>
    [Id(4)] public double? FailureRate { get; init; }
}

/// <summary>Every job's failure rate over a period.</summary>
[GenerateSerializer, Immutable, Alias("totallator.failure-rates")]
public sealed record FailureRates
{
    [Id(0)] public required string Period { get; init; }
    [Id(1)] public required DateTimeOffset From { get; init; }
    [Id(2)] public required DateTimeOffset To { get; init; }
    /// <summary>Every job, by slug; a job without roll-ups in the period has no runs and no rate.</summary>
    [Id(3)] public required IReadOnlyList<JobFailureRate> Jobs { get; init; }
    [Id(4)] public DateTimeOffset? ComputedAt { get; init; }
}
