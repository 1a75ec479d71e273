using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Hosting;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Fencing;

/// <summary>
/// This silo's check-ins with the database (0008_silo_check_in.sql), every <see cref="SchedulerOptions.CheckInInterval"/>, and
/// the bound they set on starts: a claimed occurrence starts only if its instant is at most
/// <see cref="SchedulerOptions.StartWindow"/> after the last accepted check-in (<see cref="StartsThrough"/>, read by the job
/// planner). Once the membership declares the silo dead, a survivor fences it: no check-in is accepted again, so the survivor
/// knows every claim this silo could still start, and hands over the others at once (<c>DeadSiloJobRecovery</c>).
/// </summary>
/// <remarks>
/// A claim starts with no write (its start is recorded only if the run lasts), so without this bound a dead silo's
/// <c>claimed</c> rows could not tell a run that never began from one that began just before the death: they waited for
/// their leases and ended <c>abandoned</c>. Handing them all over instead ran one twice (see docs/ledger.md).
/// </remarks>
public sealed partial class SiloCheckIn(IJobStore store, ILocalSiloDetails silo, IOptions<SchedulerOptions> options, TimeProvider timeProvider,
    ILogger<SiloCheckIn> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly LifecycleLoop _loop = new();
    // UTC ticks of the last accepted check-in (by the database's clock); 0 until the first.
    private long _lastAcceptedTicks;
    private volatile bool _refused;

    /// <summary>
    /// The latest instant of an occurrence this silo may start now: its last accepted check-in plus the start window;
    /// <see cref="DateTimeOffset.MinValue"/> before the first.
    /// </summary>
    public DateTimeOffset StartsThrough
    {
        get
        {
            var ticks = Interlocked.Read(ref _lastAcceptedTicks);
            return ticks == 0 ? DateTimeOffset.MinValue : new DateTimeOffset(ticks, TimeSpan.Zero) + options.Value.StartWindow;
        }
    }

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SiloCheckIn), SchedulerLifecycleStages.Services, StartAsync, StopAsync);
    }

    /// <summary>
    /// Checks in once: false when the database refused the silo (declared dead); throws when it did not answer within the
    /// start window, or at all.
    /// </summary>
    public async Task<bool> CheckInAsync(CancellationToken cancellationToken)
    {
        if (_refused)
        {
            return false;
        }
        // A check-in slower than the start window proves nothing useful; the next one is due anyway.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.Value.StartWindow);
        var owner = silo.SiloAddress.ToString();
        if (await store.CheckInAsync(owner, bound.Token).WaitAsync(bound.Token) is not { } accepted)
        {
            _refused = true;
            LogRefused(logger, owner);
            return false;
        }
        // Monotonic: a slow answer never moves the bound back.
        var ticks = accepted.UtcTicks;
        long seen;
        while ((seen = Interlocked.Read(ref _lastAcceptedTicks)) < ticks && Interlocked.CompareExchange(ref _lastAcceptedTicks, ticks, seen) != seen)
        {
        }
        return true;
    }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        // Bounded like the first read of the settings: a database that does not answer holds back starts (nothing can be
        // claimed meanwhile anyway) until the loop gets through.
        try
        {
            await CheckInAsync(cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex, options.Value.StartWindow.TotalMilliseconds);
        }
        _loop.Start(CheckInPeriodicallyAsync);
    }

    internal Task StopAsync(CancellationToken cancellationToken) => _loop.StopAsync(cancellationToken);

    public void Dispose() => _loop.Dispose();

    private async Task CheckInPeriodicallyAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var failingSince = (long?)null;
        var warned = false;
        while (!stoppingToken.IsCancellationRequested && !_refused)
        {
            try
            {
                await Task.Delay(o.CheckInInterval, timeProvider, stoppingToken);
                if (await CheckInAsync(stoppingToken) && failingSince is { } since)
                {
                    if (warned)
                    {
                        var failedFor = timeProvider.GetElapsedTime(since);
                        LogRecovered(logger, failedFor.TotalSeconds);
                    }
                    failingSince = null;
                    warned = false;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failingSince ??= timeProvider.GetTimestamp();
                // Once per outage, when it starts to matter: starts are held back past the window.
                if (!warned && timeProvider.GetElapsedTime(failingSince.Value) >= o.StartWindow)
                {
                    warned = true;
                    LogFailed(logger, ex, o.StartWindow.TotalMilliseconds);
                }
            }
        }
    }

    [LoggerMessage(EventId = 1951, Level = LogLevel.Error,
        Message = "Silo {Silo}: the database refused its check-in because the membership has declared it dead; it starts none of the occurrences it claimed any more (a survivor took them over)")]
    private static partial void LogRefused(ILogger logger, string silo);

    [LoggerMessage(EventId = 1952, Level = LogLevel.Warning,
        Message = "This silo could not check in with the database; claimed occurrences more than {WindowMs:0} ms past its last check-in wait until it can")]
    private static partial void LogFailed(ILogger logger, Exception exception, double windowMs);

    [LoggerMessage(EventId = 1953, Level = LogLevel.Information,
        Message = "This silo checks in with the database again, after {Seconds:0.0} s")]
    private static partial void LogRecovered(ILogger logger, double seconds);
}
