using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Clock;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Execution;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>
/// Keeps this silo's running rows alive and buries other silos' dead ones: renews the leases of every run here in one statement,
/// records the starts of runs claimed ahead that have lasted <see cref="SchedulerOptions.RunningRecordDelay"/>, and marks rows whose
/// lease expired (by the database clock) as abandoned. Every silo sweeps; the statement is idempotent.
/// </summary>
/// <remarks>
/// Runs from before the silo becomes active until after its grains are gone (<see cref="SchedulerLifecycleStages.Services"/>):
/// a graceful stop's drain (<see cref="GracefulShutdown"/>) waits for runs that may outlast their lease, and only renewals keep
/// a survivor's sweep from recording them abandoned while they are still finishing here.
/// </remarks>
public sealed partial class LeaseMaintenanceService(IJobStore store, RunRegistry registry, SchedulerClock clock,
    IOptions<SchedulerOptions> options, SchedulerInstruments instruments, ILogger<LeaseMaintenanceService> logger)
    : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly LifecycleLoop _loop = new();

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(LeaseMaintenanceService), SchedulerLifecycleStages.Services, StartAsync, StopAsync);
    }

    /// <summary>Starts the loop; it does not wait for the database (a store outage at start-up is retried every tick).</summary>
    internal Task StartAsync(CancellationToken cancellationToken)
    {
        _loop.Start(MaintainAsync);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops renewing once no run of this silo is left. By now the drain has ended or cancelled every run; one still here is
    /// writing its end through a store outage (its write retries for up to <see cref="SchedulerOptions.CompletionRetryLeases"/>
    /// lease durations). Renewing keeps its row ours while the write may still land, for at most one more lease: past that the
    /// silo goes, and a survivor records the row abandoned once its lease expires (an end that lands later still replaces that).
    /// </summary>
    internal async Task StopAsync(CancellationToken cancellationToken)
    {
        var left = registry.Snapshot();
        if (left.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            var bound = options.Value.LeaseDuration;
            LogWaitingForEnds(logger, left.Count, bound);
            try
            {
                await Task.WhenAll(left.Select(r => r.Completion)).WaitAsync(bound, clock, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                LogStoppedWithRuns(logger, registry.Count);
            }
        }
        await _loop.StopAsync(cancellationToken);
    }

    public void Dispose() => _loop.Dispose();

    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var tick = new[] { o.LeaseRenewInterval, o.SweepInterval, o.RunningRecordDelay }.Min();
        var lastRenew = DateTimeOffset.MinValue;
        var lastSweep = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(tick, clock);
        do
        {
            var now = clock.GetUtcNow();
            try
            {
                var starts = registry.UnrecordedStarts(now - o.RunningRecordDelay);
                if (starts.Count > 0)
                {
                    // Cleared only once written: a store outage here leaves them for the next tick (and the run's end carries its start anyway).
                    await store.MarkStartedManyAsync(
                        starts.Select(s => new ExecutionStart(s.Run.CurrentExecutionId, s.StartedAt, o.LeaseDuration, s.Run.ScheduledFor)).ToList(), stoppingToken);
                    foreach (var (run, startedAt) in starts)
                    {
                        run.StartRecorded(startedAt);
                    }
                }
                if (now - lastRenew >= o.LeaseRenewInterval)
                {
                    lastRenew = now;
                    var runs = registry.Snapshot();
                    await store.RenewLeasesAsync(runs.Select(r => r.CurrentExecutionId).ToList(), o.LeaseDuration, stoppingToken,
                        ScheduledSpan.Of(runs.Select(r => (DateTimeOffset?)r.ScheduledFor)));
                }
                if (now - lastSweep >= o.SweepInterval)
                {
                    lastSweep = now;
                    var abandoned = await store.AbandonExpiredAsync(stoppingToken);
                    instruments.RunsAbandoned(abandoned);
                    if (abandoned > 0)
                    {
                        LogAbandoned(logger, abandoned);
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A store outage: keep trying every tick. Runs here outlive it only while their lease holds.
                LogMaintenanceFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
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

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Marked {Count} execution(s) abandoned: their silo stopped renewing the lease")]
    private static partial void LogAbandoned(ILogger logger, int count);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Lease renewal or abandoned-run sweep failed; retrying next tick")]
    private static partial void LogMaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Stopping: renewing the leases of {Count} run(s) still recording their end, for up to {Bound}")]
    private static partial void LogWaitingForEnds(ILogger logger, int count, TimeSpan bound);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Stopped renewing leases with {Count} run(s) unrecorded; the sweep of another silo records them abandoned when their lease expires")]
    private static partial void LogStoppedWithRuns(ILogger logger, int count);
}
