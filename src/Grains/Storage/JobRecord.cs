using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;

namespace Totallator.Grains.Storage;

/// <summary>A row of <c>cronJob</c>.</summary>
public sealed record JobRecord
{
    public required Guid Id { get; init; }
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Schedule { get; init; }
    public required string TimeZone { get; init; }
    public required bool IsEnabled { get; init; }
    public required int TimeoutMs { get; init; }
    public required int MaxRetries { get; init; }
    public required MisfirePolicy MisfirePolicy { get; init; }
    public required int MisfireRunAllCap { get; init; }
    public required string Source { get; init; }
    public required bool IsOrphaned { get; init; }
    public required IReadOnlyList<string> OverriddenFields { get; init; }
    public string? InvalidReason { get; init; }
    public DateTimeOffset? LastScheduledFor { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public string? LastModifiedBy { get; init; }
    /// <summary>The jobs this one runs after, with their conditions (<c>cronJob.after</c>); empty for none.</summary>
    public IReadOnlyList<Upstream> After { get; init; } = [];
    /// <summary>
    /// The slugs of the jobs that run after this one, read only by a job's load (<see cref="IJobStore.LoadJobAsync"/>): the
    /// activation tells them when an occurrence ends. Empty elsewhere (the admin views read the whole graph instead).
    /// </summary>
    public IReadOnlyList<string> Downstreams { get; init; } = [];
    /// <summary>For a job an admin created from a job type (<see cref="JobSources.Api"/>): the type's name.</summary>
    public string? JobType { get; init; }
    /// <summary>For a job created from a job type: its parameters, a JSON object (secret ones included: never shown as they are).</summary>
    public string? ParametersJson { get; init; }
    /// <summary>When an admin deleted the job (only one created from a job type); it is then orphaned and disabled.</summary>
    public DateTimeOffset? DeletedAt { get; init; }
    public string? DeletedBy { get; init; }
    /// <summary>Final attempts that failed, timed out or were abandoned since the last success (0013_alerts.sql).</summary>
    public int FailureStreak { get; init; }
    /// <summary>The circuit breaker: the job disables itself once <see cref="FailureStreak"/> reaches this; null for none.</summary>
    public int? PauseAfterFailures { get; init; }
    /// <summary>Why the job disabled itself (its circuit breaker opened); cleared when it is enabled again.</summary>
    public string? PausedReason { get; init; }

    /// <summary>Created by an admin from a job type, not defined in code or configuration.</summary>
    public bool IsFromApi => Source == JobSources.Api;

    /// <summary>An admin's schedule came through the API and may read only allowed variables; the definition's may read any.</summary>
    public ScheduleOrigin ScheduleOrigin =>
        IsFromApi || OverriddenFields.Contains(JobFields.Schedule, StringComparer.Ordinal) ? ScheduleOrigin.Api : ScheduleOrigin.Definition;
}

/// <summary>Where a job is defined, as kept in <c>cronJob.source</c>.</summary>
public static class JobSources
{
    public const string Code = "code";
    public const string Configuration = "configuration";
    /// <summary>Created by an admin from a job type (0011_api_jobs.sql).</summary>
    public const string Api = "api";
}

/// <summary>Names of the fields an admin can override, as kept in <c>cronJob.overriddenFields</c>.</summary>
public static class JobFields
{
    public const string Schedule = "schedule";
    public const string TimeZone = "timeZone";
    public const string TimeoutMs = "timeoutMs";
    public const string MaxRetries = "maxRetries";
    public const string MisfirePolicy = "misfirePolicy";
    public const string IsEnabled = "isEnabled";
    public const string After = "after";
    // Only a job created from a job type has these changed by an admin; they are audited, never "overridden".
    public const string Name = "name";
    public const string Description = "description";
    public const string Parameters = "parameters";
    public const string PauseAfterFailures = "pauseAfterFailures";
}

/// <summary>A validated admin change, ready to store. Null fields stay as they are.</summary>
public sealed record JobUpdate
{
    public string? Schedule { get; init; }
    public string? TimeZone { get; init; }
    public int? TimeoutMs { get; init; }
    public int? MaxRetries { get; init; }
    public MisfirePolicy? MisfirePolicy { get; init; }
    public bool? IsEnabled { get; init; }
    /// <summary>New upstream jobs (replacing the old ones; empty for none), checked for unknown jobs and cycles as they are stored.</summary>
    public IReadOnlyList<Upstream>? After { get; init; }
    /// <summary>New name, description and parameters (a JSON object): for a job created from a job type only.</summary>
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? ParametersJson { get; init; }
    /// <summary>The circuit breaker's threshold; 0 turns it off.</summary>
    public int? PauseAfterFailures { get; init; }
    /// <summary>
    /// Set by the circuit breaker as it disables the job: why, kept on the job until it is enabled again, and an alert event
    /// ('paused') written with the change.
    /// </summary>
    public string? PausedReason { get; init; }
    /// <summary>The parameters as the audit row shows them, before and after (secret values replaced); set with <see cref="ParametersJson"/>.</summary>
    public (string Old, string New)? AuditedParameters { get; init; }
    /// <summary>Optimistic concurrency: apply only while the stored version equals this.</summary>
    public int? ExpectedVersion { get; init; }
    public required string ChangedBy { get; init; }
    /// <summary>
    /// Set <c>lastScheduledFor</c> to this instant: after a schedule change or a re-enable, occurrences of the old schedule or
    /// of the disabled period are not misfires to catch up on.
    /// </summary>
    public DateTimeOffset? ResetLastScheduledFor { get; init; }
    /// <summary>The action of the audit row written with the update (<c>job.update</c>, <c>job.enable</c>, <c>job.disable</c>).</summary>
    public string AuditAction { get; init; } = "job.update";
    /// <summary>The HTTP request that asked, kept on the audit row.</summary>
    public string? RequestId { get; init; }
}

/// <summary>A job grain active on a silo (<c>SiloAddress.ToString()</c>).</summary>
public sealed record JobHost(Guid JobId, string Silo);

/// <summary>What became of a claim given back.</summary>
public enum ClaimRelease
{
    /// <summary>It had already started or ended (or does not exist).</summary>
    NotClaimed,
    /// <summary>Removed: the occurrence is no longer the job's (withdrawn).</summary>
    Removed,
    /// <summary>Kept, without an owner, for the job's next activation.</summary>
    HandedOver,
}

/// <summary>A job as an activation loads it, and the claims it took over from an activation that went.</summary>
public sealed record JobLoad(JobRecord? Job, IReadOnlyList<ExecutionRecord> TakenOver)
{
    /// <summary>The job's pending one-off runs, soonest first (at most 100), read in the same round trip.</summary>
    public IReadOnlyList<Interfaces.Jobs.OneOffRun> OneOffs { get; init; } = [];

    /// <summary>
    /// The period of the job grain's reminder row when the load was asked for it: zero when there is none; null when the store
    /// cannot tell (the grain then asks Orleans).
    /// </summary>
    public TimeSpan? ReminderPeriod { get; init; }
}

/// <summary>What fencing a dead silo did (<see cref="IJobStore.FenceDeadSiloAsync"/>).</summary>
/// <param name="LastCheckIn">Its last accepted check-in, final from now on; null if it never checked in.</param>
/// <param name="HandedOver">How many of its claims were handed over.</param>
/// <param name="Jobs">The slugs of the jobs they belong to: each must load again to take them over.</param>
public sealed record DeadSiloFence(DateTimeOffset? LastCheckIn, int HandedOver, IReadOnlyList<string> Jobs);
