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
    // One read at a time: a slow periodic read finishing after the read that follows a change would put the old values back.
    private readonly SemaphoreSlim _refresh = new(1, 1);

    /// <summary>The settings as last read; the defaults until the first read succeeds.</summary>
    public GlobalSettings Current => _current;

    /// <summary>Reads the settings now.</summary>
    public async Task<GlobalSettings> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
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
        finally
        {
            _refresh.Release();
        }
    }

    public override void Dispose()
    {
        _refresh.Dispose();
        base.Dispose();
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
}
