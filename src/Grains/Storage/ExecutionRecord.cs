using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>A row of <c>cronJobExecution</c>.</summary>
public sealed record ExecutionRecord
{
    public required Guid Id { get; init; }
    public required Guid CronJobId { get; init; }
    public required string OccurrenceKey { get; init; }
    public required DateTimeOffset ScheduledFor { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public long? DurationMs { get; init; }
    public required ExecutionStatus Status { get; init; }
    public int? ExitCode { get; init; }
    public string? Output { get; init; }
    public string? ErrorMessage { get; init; }
    public string? StackTrace { get; init; }
    public required TriggerSource TriggeredBy { get; init; }
    public string? TriggeredByUserId { get; init; }
    public required int RetryCount { get; init; }
    public double? MemoryUsageMb { get; init; }
    public double? CpuUsagePercent { get; init; }
    public long? ItemsProcessed { get; init; }
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    public string? StatusReason { get; init; }
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
}

/// <summary>A claim of one attempt of one occurrence: inserted as a running row, or refused if someone claimed it first.</summary>
public sealed record ExecutionClaim
{
    public required Guid ExecutionId { get; init; }
    public required Guid CronJobId { get; init; }
    public required string OccurrenceKey { get; init; }
    public required DateTimeOffset ScheduledFor { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required TriggerSource TriggeredBy { get; init; }
    public string? TriggeredByUserId { get; init; }
    public required int RetryCount { get; init; }
    public required string LeaseOwner { get; init; }
    public required TimeSpan LeaseDuration { get; init; }
    public string? StatusReason { get; init; }
    /// <summary>Move <c>cronJob.lastScheduledFor</c> forward to this occurrence (scheduled and catch-up runs, not manual ones).</summary>
    public required bool AdvancesSchedule { get; init; }
}

/// <summary>The end of a running attempt.</summary>
public sealed record ExecutionCompletion
{
    public required Guid ExecutionId { get; init; }
    public required ExecutionStatus Status { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    public required long DurationMs { get; init; }
    public int? ExitCode { get; init; }
    public string? Output { get; init; }
    public string? ErrorMessage { get; init; }
    public string? StackTrace { get; init; }
    public double? MemoryUsageMb { get; init; }
    public double? CpuUsagePercent { get; init; }
    public long? ItemsProcessed { get; init; }
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    public string? StatusReason { get; init; }
}

/// <summary>An occurrence that ends without running: skipped or missed, with its reason.</summary>
public sealed record UnrunOccurrence
{
    public required Guid ExecutionId { get; init; }
    public required Guid CronJobId { get; init; }
    public required string OccurrenceKey { get; init; }
    public required DateTimeOffset ScheduledFor { get; init; }
    public required ExecutionStatus Status { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
}
