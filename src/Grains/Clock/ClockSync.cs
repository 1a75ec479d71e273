using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Hosting;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Clock;

/// <summary>
/// Measures this host's clock against the database's and corrects the <see cref="SchedulerClock"/>: first while the silo starts,
/// before it becomes active (<see cref="SchedulerLifecycleStages.Services"/>), so no occurrence is planned on an uncorrected
/// clock when the database answers; then every <see cref="SchedulerOptions.ClockSyncInterval"/>.
/// </summary>
/// <remarks>
/// Why the database's clock: it already judges every lease and sweep, it is the one clock all silos can read, and a scheduler
/// that fired by each host's clock fired early on a fast host (and recorded lateness 0) and late on a slow one. A host whose
/// NTP works is corrected by a few milliseconds; one whose clock is off by seconds still fires on time, and the offset gauge and
/// a warning say so.
/// </remarks>
public sealed partial class ClockSync(IJobStore store, SchedulerClock clock, IOptions<SchedulerOptions> options, ILogger<ClockSync> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Readings per measurement; the quickest one is used.</summary>
    public const int SamplesPerSync = 5;

    /// <summary>A reading slower than this is too loose to correct a clock by (it could be off by half of it).</summary>
    public static readonly TimeSpan MaxRoundTrip = TimeSpan.FromMilliseconds(500);

    /// <summary>An offset past this is worth a warning: the host's own clock is wrong enough to mislead anything else on it.</summary>
    public static readonly TimeSpan WarnOffset = TimeSpan.FromSeconds(1);

    /// <summary>A change of the offset past this is logged (smaller ones are ordinary drift).</summary>
    private static readonly TimeSpan LoggedChange = TimeSpan.FromMilliseconds(100);

    private readonly LifecycleLoop _loop = new();

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        if (options.Value.ClockSyncInterval > TimeSpan.Zero)
        {
            lifecycle.Subscribe(nameof(ClockSync), SchedulerLifecycleStages.Services, StartAsync, StopAsync);
        }
    }

    /// <summary>Measures the offset now and applies it; false when no reading was usable (the offset is kept).</summary>
    public async Task<bool> SyncAsync(CancellationToken cancellationToken)
    {
        var host = clock.Host;
        var samples = new List<ClockSample>(SamplesPerSync);
        for (var i = 0; i < SamplesPerSync; i++)
        {
            var sentAt = host.GetUtcNow();
            var started = host.GetTimestamp();
            var databaseTime = await store.ReadClockAsync(cancellationToken);
            samples.Add(new ClockSample(sentAt, host.GetElapsedTime(started), databaseTime));
        }
        if (ClockEstimate.From(samples, MaxRoundTrip) is not { } estimate)
        {
            LogTooSlow(logger, samples.Min(s => s.RoundTrip).TotalMilliseconds, MaxRoundTrip.TotalMilliseconds, clock.Offset.TotalMilliseconds);
            return false;
        }
        var before = clock.Uncertainty is null ? (TimeSpan?)null : clock.Offset;
        clock.Set(estimate);
        if (before is null || (estimate.Offset - before.Value).Duration() > LoggedChange)
        {
            if (estimate.Offset.Duration() > WarnOffset)
            {
                LogHostClockOff(logger, estimate.Offset.TotalMilliseconds, estimate.Uncertainty.TotalMilliseconds);
            }
            else
            {
                LogOffset(logger, estimate.Offset.TotalMilliseconds, estimate.Uncertainty.TotalMilliseconds);
            }
        }
        return true;
    }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        // Bounded like the first read of the settings: a database that does not answer leaves the host's clock in use (nothing
        // can be claimed meanwhile anyway), and the loop corrects it once the database answers.
        var o = options.Value;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(o.SettingsFirstReadTimeout);
        var synced = false;
        try
        {
            synced = await SyncAsync(bound.Token).WaitAsync(bound.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, clock.Offset.TotalMilliseconds);
        }
        _loop.Start(token => SyncPeriodicallyAsync(synced, token));
    }

    internal Task StopAsync(CancellationToken cancellationToken) => _loop.StopAsync(cancellationToken);

    public void Dispose() => _loop.Dispose();

    private async Task SyncPeriodicallyAsync(bool synced, CancellationToken stoppingToken)
    {
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Until a first reading succeeds, retried as often as a store write is.
                await Task.Delay(synced ? o.ClockSyncInterval : o.StoreRetryDelay, clock.Host, stoppingToken);
                synced = await SyncAsync(stoppingToken) || synced;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex, clock.Offset.TotalMilliseconds);
            }
        }
    }

    [LoggerMessage(EventId = 1901, Level = LogLevel.Information,
        Message = "Scheduler clock: the database's clock is {OffsetMs:0.0} ms ahead of this host's (±{UncertaintyMs:0.0} ms); occurrences fire and starts are stamped by the corrected clock")]
    private static partial void LogOffset(ILogger logger, double offsetMs, double uncertaintyMs);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Warning,
        Message = "Scheduler clock: this host's clock is off the database's by {OffsetMs:0} ms (database ahead when positive, ±{UncertaintyMs:0.0} ms); the scheduler corrects for it, but check the host's time synchronisation (NTP): logs and anything else on this host use the wrong time")]
    private static partial void LogHostClockOff(ILogger logger, double offsetMs, double uncertaintyMs);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Warning,
        Message = "Scheduler clock: no reading of the database's clock came back within {MaxMs:0} ms (quickest {QuickestMs:0} ms); keeping the offset of {OffsetMs:0.0} ms")]
    private static partial void LogTooSlow(ILogger logger, double quickestMs, double maxMs, double offsetMs);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Warning,
        Message = "Scheduler clock: could not read the database's clock; keeping the offset of {OffsetMs:0.0} ms")]
    private static partial void LogFailed(ILogger logger, Exception exception, double offsetMs);
}
