namespace Totallator.Client;

/// <summary>The scheduler's global settings.</summary>
public sealed record GlobalSettings
{
    /// <summary>Ended executions older than this many days are deleted by the cleanup. 1 to 3650.</summary>
    public int HistoryRetentionDays { get; init; }
    /// <summary>While true no scheduled occurrence runs anywhere (each is recorded as skipped); manual triggers still run.</summary>
    public bool SchedulingPaused { get; init; }
    /// <summary>Time zone of new jobs that name none.</summary>
    public string DefaultTimeZone { get; init; } = "";
    /// <summary>Timeout of new jobs that set none.</summary>
    public int DefaultTimeoutMs { get; init; }
    /// <summary>Retries of new jobs that set none.</summary>
    public int DefaultMaxRetries { get; init; }
    /// <summary>Misfire policy of new jobs that set none.</summary>
    public MisfirePolicy DefaultMisfirePolicy { get; init; }
    /// <summary>When the settings last changed.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>Who changed them last.</summary>
    public string? UpdatedBy { get; init; }
    /// <summary>Audit rows older than this many days are deleted by every cleanup. 1 to 3650.</summary>
    public int AuditRetentionDays { get; init; }
}

/// <summary>A change to <see cref="GlobalSettings"/>; null fields stay as they are.</summary>
public sealed record GlobalSettingsChange
{
    /// <summary>See <see cref="GlobalSettings.HistoryRetentionDays"/>.</summary>
    public int? HistoryRetentionDays { get; init; }
    /// <summary>See <see cref="GlobalSettings.SchedulingPaused"/>.</summary>
    public bool? SchedulingPaused { get; init; }
    /// <summary>See <see cref="GlobalSettings.DefaultTimeZone"/>.</summary>
    public string? DefaultTimeZone { get; init; }
    /// <summary>See <see cref="GlobalSettings.DefaultTimeoutMs"/>.</summary>
    public int? DefaultTimeoutMs { get; init; }
    /// <summary>See <see cref="GlobalSettings.DefaultMaxRetries"/>.</summary>
    public int? DefaultMaxRetries { get; init; }
    /// <summary>See <see cref="GlobalSettings.DefaultMisfirePolicy"/>.</summary>
    public MisfirePolicy? DefaultMisfirePolicy { get; init; }
    /// <summary>See <see cref="GlobalSettings.AuditRetentionDays"/>.</summary>
    public int? AuditRetentionDays { get; init; }
}
