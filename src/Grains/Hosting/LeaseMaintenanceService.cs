using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Execution;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>
/// Keeps this silo's running rows alive and buries other silos' dead ones: renews the leases of every run here in one statement,
/// records the starts of runs claimed ahead that have lasted <see cref="SchedulerOptions.RunningRecordDelay"/>, and marks rows whose
/// lease expired (by the database clock) as abandoned. Every silo sweeps; the statement is idempotent.
/// </summary>
public sealed partial class LeaseMaintenanceService(IJobStore store, RunRegistry registry, TimeProvider timeProvider,
    IOptions<SchedulerOptions> options, SchedulerInstruments instruments, ILogger<LeaseMaintenanceService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var tick = new[] { o.LeaseRenewInterval, o.SweepInterval, o.RunningRecordDelay }.Min();
        var lastRenew = DateTimeOffset.MinValue;
        var lastSweep = DateTimeOffset.MinValue;
        using var timer = new PeriodicTimer(tick, timeProvider);
        do
        {
            var now = timeProvider.GetUtcNow();
            try
            {
                var starts = registry.UnrecordedStarts(now - o.RunningRecordDelay);
                if (starts.Count > 0)
                {
                    // Cleared only once written: a store outage here leaves them for the next tick (and the run's end carries its start anyway).
                    await store.MarkStartedManyAsync(
                        starts.Select(s => new ExecutionStart(s.Run.CurrentExecutionId, s.StartedAt, o.LeaseDuration)).ToList(), stoppingToken);
                    foreach (var (run, startedAt) in starts)
                    {
                        run.StartRecorded(startedAt);
                    }
                }
                if (now - lastRenew >= o.LeaseRenewInterval)
                {
                    lastRenew = now;
                    var ids = registry.RunningExecutionIds();
                    await store.RenewLeasesAsync(ids, o.LeaseDuration, stoppingToken);
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
}
