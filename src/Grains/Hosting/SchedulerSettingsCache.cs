using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>
/// This silo's copy of the global settings (<c>cronJobConfig</c>), read by every job grain at each due occurrence without a
/// round trip. Refreshed every <see cref="SchedulerOptions.SettingsRefreshInterval"/>, and at once on the silo that made a change
/// (<see cref="RefreshAsync"/>): other silos see a pause at most one interval late.
/// </summary>
public sealed partial class SchedulerSettingsCache(IAdminStore store, TimeProvider timeProvider, IOptions<SchedulerOptions> options,
    ILogger<SchedulerSettingsCache> logger) : BackgroundService
{
    private volatile GlobalSettings _current = GlobalSettingsKeys.Defaults;

    /// <summary>The settings as last read; the defaults until the first read succeeds.</summary>
    public GlobalSettings Current => _current;

    /// <summary>Reads the settings now.</summary>
    public async Task<GlobalSettings> RefreshAsync(CancellationToken cancellationToken)
    {
        var settings = GlobalSettingsKeys.Read(await store.GetConfigAsync(cancellationToken));
        var wasPaused = _current.SchedulingPaused;
        _current = settings;
        if (wasPaused != settings.SchedulingPaused)
        {
            var by = settings.UpdatedBy ?? "?";
            LogPauseChanged(logger, settings.SchedulingPaused, by);
        }
        return settings;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Read once before the silo schedules anything, so a pause in force is honoured from the first occurrence.
        try
        {
            await RefreshAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogRefreshFailed(logger, ex);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SettingsRefreshInterval, timeProvider);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Keep the last values: a store outage must not unpause (or pause) the scheduler.
                LogRefreshFailed(logger, ex);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken token)
    {
        try
        {
            return await timer.WaitForNextTickAsync(token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Scheduling paused: {Paused} (last change by {UpdatedBy})")]
    private static partial void LogPauseChanged(ILogger logger, bool paused, string updatedBy);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Reading the global settings failed; keeping the last values")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
