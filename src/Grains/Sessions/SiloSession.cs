using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Clock;
using Totallator.Grains.Hosting;

namespace Totallator.Grains.Sessions;

/// <summary>
/// Holds this silo's database session (see <see cref="ISiloSessionStore"/>) from before the silo becomes active until after its
/// grains are gone, and pings it every <see cref="PingInterval"/>. A run claimed ahead starts at its instant without a write,
/// so this is what keeps a silo that was declared dead, and whose session a survivor could take, from starting one: it starts
/// one only while its session was confirmed within <see cref="ConfirmedWithin"/>, well inside the grace a survivor waits
/// (<see cref="ResolveGrace"/>) before it hands the dead silo's claims over.
/// </summary>
public sealed partial class SiloSession(ISiloSessionStore store, ILocalSiloDetails self, SchedulerClock clock, IOptions<SchedulerOptions> options,
    ILogger<SiloSession> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    public static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>How recent a successful ping must be for this silo to start a claimed run.</summary>
    public static readonly TimeSpan ConfirmedWithin = TimeSpan.FromSeconds(2);

    /// <summary>How long a survivor holds a dead silo's freed lock before it hands that silo's claims over.</summary>
    public static readonly TimeSpan ResolveGrace = TimeSpan.FromSeconds(2);

    private readonly LifecycleLoop _loop = new();
    private readonly string _silo = self.SiloAddress.ToString();
    private ISiloSessionHandle? _handle;
    private long _confirmedAt = long.MinValue;
    private long _opened;

    /// <summary>True while the session was confirmed within <see cref="ConfirmedWithin"/>.</summary>
    public bool IsConfirmed
    {
        get
        {
            var at = Interlocked.Read(ref _confirmedAt);
            return at != long.MinValue && clock.GetElapsedTime(at) < ConfirmedWithin;
        }
    }

    /// <summary>How many times the session was opened, while it is confirmed; null while it is not (<see cref="Scheduling.PlanInputs.Session"/>).</summary>
    public long? Current => IsConfirmed ? Interlocked.Read(ref _opened) : null;

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(SiloSession), SchedulerLifecycleStages.Services, StartAsync, StopAsync);
    }

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        // Bounded like the other start-up reads: without the database nothing can be claimed anyway, and the loop opens it later.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(options.Value.SettingsFirstReadTimeout);
        try
        {
            await ConfirmAsync(bound.Token).WaitAsync(bound.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogUnconfirmed(logger, ex, _silo);
        }
        _loop.Start(KeepAsync);
    }

    internal async Task StopAsync(CancellationToken cancellationToken)
    {
        await _loop.StopAsync(cancellationToken);
        if (_handle is { } handle)
        {
            _handle = null;
            await handle.DisposeAsync();
        }
    }

    public void Dispose() => _loop.Dispose();

    private async Task KeepAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(PingInterval, clock.Host, stoppingToken);
                await ConfirmAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Unconfirmed at once, not when the last ping grows old: a survivor may already be taking this silo's lock.
                Interlocked.Exchange(ref _confirmedAt, long.MinValue);
                var wasConfirmed = _handle is not null;
                if (_handle is { } broken)
                {
                    _handle = null;
                    await broken.DisposeAsync();
                }
                if (wasConfirmed)
                {
                    LogUnconfirmed(logger, ex, _silo);
                }
            }
        }
    }

    private async Task ConfirmAsync(CancellationToken cancellationToken)
    {
        if (_handle is null)
        {
            _handle = await store.OpenAsync(_silo, cancellationToken);
            if (_handle is null)
            {
                // Held elsewhere (a survivor resolving this silo as dead): unconfirmed, tried again at the next ping.
                Interlocked.Exchange(ref _confirmedAt, long.MinValue);
                return;
            }
            Interlocked.Increment(ref _opened);
            LogOpened(logger, _silo);
        }
        await _handle.PingAsync(cancellationToken);
        Interlocked.Exchange(ref _confirmedAt, clock.GetTimestamp());
    }

    [LoggerMessage(EventId = 1911, Level = LogLevel.Information, Message = "Database session of silo {Silo} opened: its claims stay its own while it lives")]
    private static partial void LogOpened(ILogger logger, string silo);

    [LoggerMessage(EventId = 1912, Level = LogLevel.Warning, Message = "Database session of silo {Silo} is not confirmed: claimed runs do not start here until it is open again")]
    private static partial void LogUnconfirmed(ILogger logger, Exception exception, string silo);
}
