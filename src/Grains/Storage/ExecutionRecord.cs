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
    /// <summary>For a dependency run: the upstream executions whose ends signalled it.</summary>
    public IReadOnlyList<Guid>? UpstreamExecutionIds { get; init; }
}

/// <summary>
/// A claim of one attempt of one occurrence: inserted as a running row (or a claimed one, when claimed ahead of its instant),
/// or refused if someone claimed it first.
/// </summary>
public sealed record ExecutionClaim
{
    public required Guid ExecutionId { get; init; }
    public required Guid CronJobId { get; init; }
    public required string OccurrenceKey { get; init; }
    public required DateTimeOffset ScheduledFor { get; init; }
    /// <summary>When the run starts; null for a claim ahead of the instant (the row is <c>claimed</c> until it starts).</summary>
    public required DateTimeOffset? StartedAt { get; init; }
    public required TriggerSource TriggeredBy { get; init; }
    public string? TriggeredByUserId { get; init; }
    public required int RetryCount { get; init; }
    public required string LeaseOwner { get; init; }
    public required TimeSpan LeaseDuration { get; init; }
    public string? StatusReason { get; init; }
    /// <summary>Move <c>cronJob.lastScheduledFor</c> forward to this occurrence (scheduled and catch-up runs, not manual ones).</summary>
    public required bool AdvancesSchedule { get; init; }
    /// <summary>
    /// The job version the claim was planned on: refused (as if held) when the job has changed since, so an activation that
    /// missed an admin change cannot claim by a schedule that is no longer the job's. Null for claims of no schedule (manual runs).
    /// </summary>
    public int? JobVersion { get; init; }
}

/// <summary>The end of a running attempt.</summary>
public sealed record ExecutionCompletion
{
    public required Guid ExecutionId { get; init; }
    /// <summary>The occurrence's instant, as its claim had it: the row is looked for only in its history partition (<see cref="ScheduledSpan"/>). Null looks everywhere.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }
    public required ExecutionStatus Status { get; init; }
    /// <summary>When the attempt really started, for a row claimed ahead whose start write may not have landed; null keeps the stored one.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    /// <summary>Null for an occurrence that ends without running (a claim ahead that was skipped or missed at its instant).</summary>
    public long? DurationMs { get; init; }
    public int? ExitCode { get; init; }
    public string? Output { get; init; }
    public string? ErrorMessage { get; init; }
    public string? StackTrace { get; init; }
    public double? MemoryUsageMb { get; init; }
    public double? CpuUsagePercent { get; init; }
    public long? ItemsProcessed { get; init; }
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    public string? StatusReason { get; init; }
    /// <summary>
    /// For the end of a claim that never ran (skipped or missed at its instant, or an unanswered claim given up): the row ends
    /// only while this silo still holds it. One handed over since (its silo declared dead, 0008) belongs to another activation,
    /// which may be running it under the same id (found by the simulation). Null for the end of a run.
    /// </summary>
    public string? HeldBy { get; init; }
    /// <summary>
    /// The occurrence's final attempt: no retry follows. Its end signals the job's downstream jobs whose condition it meets, in
    /// the same write (0009_dependencies.sql).
    /// </summary>
    public bool Final { get; init; }
}

/// <summary>
/// The start of an occurrence claimed ahead: its row turns from claimed to running, with a fresh lease. <c>ScheduledFor</c>, the
/// occurrence's instant, has the row looked for only in its history partition (<see cref="ScheduledSpan"/>); null looks everywhere.
/// </summary>
public sealed record ExecutionStart(Guid ExecutionId, DateTimeOffset StartedAt, TimeSpan LeaseDuration, DateTimeOffset? ScheduledFor = null);

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
    /// <summary>
    /// Move <c>cronJob.lastScheduledFor</c> forward to this occurrence. False while earlier occurrences wait without a row (queued
    /// catch-ups): the schedule must not stand past an occurrence that has no row, or losing the activation would lose them.
    /// </summary>
    public bool AdvancesSchedule { get; init; } = true;
    /// <summary>The job version it was planned on: nothing is recorded when the job has changed since (see <see cref="ExecutionClaim.JobVersion"/>).</summary>
    public int? JobVersion { get; init; }
    /// <summary>
    /// The silo recording it (its lease owner). A silo the membership has declared dead moves no schedule: the store refuses
    /// the call (<c>StoreUnavailableException</c>), as it refuses the silo's claims.
    /// </summary>
    public string? RecordedBy { get; init; }
}
