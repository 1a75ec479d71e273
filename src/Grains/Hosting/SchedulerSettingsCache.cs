using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>
/// This silo's copy of the global settings (<c>cronJobConfig</c>), read by every job grain at each due occurrence without a
/// round trip. Read first while the silo starts, before it becomes active (<see cref="SchedulerLifecycleStages.Services"/>), then
/// every <see cref="SchedulerOptions.SettingsRefreshInterval"/>, and at once on the silo that made a change
/// (<see cref="RefreshAsync"/>): other silos see a pause at most one interval late.
/// </summary>
public sealed partial class SchedulerSettingsCache(IAdminStore store, TimeProvider timeProvider, IOptions<SchedulerOptions> options,
    ILogger<SchedulerSettingsCache> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>
    /// What <see cref="Current"/> says until a read succeeds: the defaults, but paused. A silo that cannot tell whether scheduling
    /// is paused must not run scheduled occurrences: an admin pauses because running is harmful now, and a run cannot be taken
    /// back, while an occurrence skipped meanwhile is recorded (reason <c>paused</c>) for anyone to see and run by hand. The
    /// alternatives are worse: failing start-up would crash-loop every silo through a database blip, and waiting for the read
    /// without a bound would hang a cluster start for as long as the database is away. The window is small: it only opens when
    /// the database did not answer within <see cref="SchedulerOptions.SettingsFirstReadTimeout"/> (and then nothing can be
    /// claimed either), and closes at the first refresh that reads, within one refresh interval of the database answering.
    /// </summary>
    private static readonly GlobalSettings Unknown = GlobalSettingsKeys.Defaults with { SchedulingPaused = true };

    private volatile GlobalSettings _current = Unknown;
    private volatile bool _known;
    // One read at a time: a slow periodic read finishing after the read that follows a change would put the old values back.
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private readonly LifecycleLoop _loop = new();

    /// <summary>The settings as last read; until a read succeeds, the defaults with scheduling paused.</summary>
    public GlobalSettings Current => _current;

    /// <summary>True once a read succeeded: <see cref="Current"/> is what the database said.</summary>
    public bool IsKnown => _known;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SchedulerSettingsCache), SchedulerLifecycleStages.Services, StartAsync, StopAsync);
    }

    /// <summary>Reads the settings now.</summary>
    public async Task<GlobalSettings> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            var settings = GlobalSettingsKeys.Read(await store.GetConfigAsync(cancellationToken));
            var before = _known ? _current : null;
            _current = settings;
            _known = true;
            var by = settings.UpdatedBy ?? "?";
            if (before is null)
            {
                LogFirstRead(logger, settings.SchedulingPaused, by);
            }
            else if (before.SchedulingPaused != settings.SchedulingPaused)
            {
                LogPauseChanged(logger, settings.SchedulingPaused, by);
            }
            return settings;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>
    /// The first read, before the silo becomes active, so a pause in force is honoured from the first occurrence; retried until
    /// <see cref="SchedulerOptions.SettingsFirstReadTimeout"/>, after which the silo starts with scheduling treated as paused
    /// (see <see cref="Unknown"/>). Then the periodic refresh.
    /// </summary>
    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReadFirstAsync(cancellationToken);
        _loop.Start(RefreshPeriodicallyAsync);
    }

    internal Task StopAsync(CancellationToken cancellationToken) => _loop.StopAsync(cancellationToken);

    public void Dispose()
    {
        _loop.Dispose();
        _refresh.Dispose();
    }

    private async Task ReadFirstAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var bound = new CancellationTokenSource(o.SettingsFirstReadTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // WaitAsync as well: start-up stays bounded even if a connection attempt does not honour the token.
                await RefreshAsync(linked.Token).WaitAsync(linked.Token);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                if (bound.IsCancellationRequested)
                {
                    LogFirstReadGaveUp(logger, ex, o.SettingsFirstReadTimeout, attempt);
                    return;
                }
                LogFirstReadFailed(logger, ex, attempt);
            }
            try
            {
                await Task.Delay(o.StoreRetryDelay, timeProvider, linked.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                LogFirstReadGaveUp(logger, null, o.SettingsFirstReadTimeout, attempt);
                return;
            }
        }
    }

    private async Task RefreshPeriodicallyAsync(CancellationToken stoppingToken)
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
