namespace Totallator.Grains.Interfaces.Admin;

/// <summary>Global settings (<c>cronJobConfig</c>) and history cleanup. A stateless worker: use key 0.</summary>
[Alias("totallator.ISchedulerSettingsGrain")]
public interface ISchedulerSettingsGrain : IGrainWithIntegerKey
{
    [Alias("Get")]
    Task<GlobalSettings> GetAsync();

    /// <summary>
    /// Applies the given fields (null ones stay) and writes an audit row in the same transaction; throws
    /// <see cref="InvalidAdminInputException"/> and changes nothing on bad input. A change of <see cref="GlobalSettings.SchedulingPaused"/>
    /// reaches every silo within <c>Cron:Scheduler:SettingsRefreshInterval</c>.
    /// </summary>
    [Alias("Update")]
    Task<GlobalSettings> UpdateAsync(GlobalSettingsChange change, AdminActor actor);

    /// <summary>
    /// Deletes ended executions older than <paramref name="olderThanDays"/> (default: the retention setting) and audit rows older
    /// than <see cref="GlobalSettings.AuditRetentionDays"/>; returns how many of each went.
    /// </summary>
    [Alias("Cleanup")]
    Task<CleanupResult> CleanupAsync(int? olderThanDays, AdminActor actor);

    /// <summary>What <see cref="CleanupAsync"/> would delete now, counted without deleting (nor auditing) anything.</summary>
    [Alias("PreviewCleanup")]
    Task<CleanupPreview> PreviewCleanupAsync(int? olderThanDays);
}

/// <summary>The scheduler's global settings.</summary>
[GenerateSerializer, Immutable, Alias("totallator.global-settings")]
public sealed record GlobalSettings
{
    /// <summary>Ended executions older than this are deleted by the cleanup job and by default by a manual cleanup. 1 to 3650.</summary>
    [Id(0)] public required int HistoryRetentionDays { get; init; }
    /// <summary>While true no scheduled occurrence runs anywhere: each is recorded as skipped (reason <c>paused</c>). Manual triggers still run.</summary>
    [Id(1)] public required bool SchedulingPaused { get; init; }
    /// <summary>Time zone of new jobs whose definition names none.</summary>
    [Id(2)] public required string DefaultTimeZone { get; init; }
    /// <summary>Timeout of new jobs whose definition sets none, 1 ms to 24 h.</summary>
    [Id(3)] public required int DefaultTimeoutMs { get; init; }
    /// <summary>Retries of new jobs whose definition sets none, 0 to 100.</summary>
    [Id(4)] public required int DefaultMaxRetries { get; init; }
    /// <summary>Misfire policy of new jobs whose definition sets none.</summary>
    [Id(5)] public required Jobs.MisfirePolicy DefaultMisfirePolicy { get; init; }
    [Id(6)] public DateTimeOffset? UpdatedAt { get; init; }
    [Id(7)] public string? UpdatedBy { get; init; }
    /// <summary>Audit rows older than this are deleted by the cleanup job and by every cleanup. 1 to 3650; default 365.</summary>
    [Id(8)] public required int AuditRetentionDays { get; init; }
}

/// <summary>What a history cleanup deleted.</summary>
[GenerateSerializer, Immutable, Alias("totallator.cleanup-result")]
public sealed record CleanupResult
{
    /// <summary>Ended executions.</summary>
    [Id(0)] public required int Deleted { get; init; }
    /// <summary>Audit rows past the audit retention.</summary>
    [Id(1)] public required int AuditDeleted { get; init; }
}

/// <summary>What a history cleanup would delete, counted at <see cref="At"/>.</summary>
[GenerateSerializer, Immutable, Alias("totallator.cleanup-preview")]
public sealed record CleanupPreview
{
    [Id(0)] public required DateTimeOffset At { get; init; }
    [Id(1)] public required int OlderThanDays { get; init; }
    /// <summary>Executions that ended before this would go.</summary>
    [Id(2)] public required DateTimeOffset Cutoff { get; init; }
    /// <summary>Ended executions that would go (running and claimed ones never do).</summary>
    [Id(3)] public required int Executions { get; init; }
    [Id(4)] public required int AuditRetentionDays { get; init; }
    /// <summary>Audit rows past the audit retention that would go with it.</summary>
    [Id(5)] public required int AuditRows { get; init; }
}

/// <summary>A change to <see cref="GlobalSettings"/>; null fields stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("totallator.global-settings-change")]
public sealed record GlobalSettingsChange
{
    [Id(0)] public int? HistoryRetentionDays { get; init; }
    [Id(1)] public bool? SchedulingPaused { get; init; }
    [Id(2)] public string? DefaultTimeZone { get; init; }
    [Id(3)] public int? DefaultTimeoutMs { get; init; }
    [Id(4)] public int? DefaultMaxRetries { get; init; }
    [Id(5)] public Jobs.MisfirePolicy? DefaultMisfirePolicy { get; init; }
    [Id(6)] public int? AuditRetentionDays { get; init; }
}
