namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>The global settings (viewer).</summary>
    Task<GlobalSettings> GetSettingsAsync(CancellationToken cancellationToken = default);

    /// <summary>Changes the settings given; null ones stay (admin). Audited.</summary>
    Task<GlobalSettings> UpdateSettingsAsync(GlobalSettingsChange change, CancellationToken cancellationToken = default);

    /// <summary>
    /// Pauses every job's schedule (admin): scheduled occurrences are recorded as skipped until <see cref="ResumeSchedulingAsync"/>;
    /// manual triggers still run. Reaches every silo within the settings refresh interval.
    /// </summary>
    Task<GlobalSettings> PauseSchedulingAsync(CancellationToken cancellationToken = default);

    /// <summary>Resumes the schedules paused by <see cref="PauseSchedulingAsync"/> (admin).</summary>
    Task<GlobalSettings> ResumeSchedulingAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether a cron expression is valid in a zone, and its next fire times (viewer).</summary>
    /// <exception cref="TotallatorValidationException">The expression or zone cannot fire; the errors name the field.</exception>
    Task<SchedulePreview> PreviewScheduleAsync(string schedule, string? timeZone = null, int? count = null, CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<GlobalSettings> GetSettingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync<GlobalSettings>(HttpMethod.Get, "config", null, cancellationToken);

    /// <inheritdoc />
    public Task<GlobalSettings> UpdateSettingsAsync(GlobalSettingsChange change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return SendAsync<GlobalSettings>(HttpMethod.Put, "config", change, cancellationToken);
    }

    /// <inheritdoc />
    public Task<GlobalSettings> PauseSchedulingAsync(CancellationToken cancellationToken = default) =>
        UpdateSettingsAsync(new GlobalSettingsChange { SchedulingPaused = true }, cancellationToken);

    /// <inheritdoc />
    public Task<GlobalSettings> ResumeSchedulingAsync(CancellationToken cancellationToken = default) =>
        UpdateSettingsAsync(new GlobalSettingsChange { SchedulingPaused = false }, cancellationToken);

    /// <inheritdoc />
    public Task<SchedulePreview> PreviewScheduleAsync(string schedule, string? timeZone = null, int? count = null, CancellationToken cancellationToken = default) =>
        SendAsync<SchedulePreview>(HttpMethod.Post, "schedule/preview", new { schedule, timeZone, count }, cancellationToken);
}
