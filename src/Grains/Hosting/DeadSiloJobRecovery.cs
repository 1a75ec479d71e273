using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>
/// When the membership declares a silo dead (killed, hung, or shut down), takes the jobs that were active there
/// (<c>cronJob.hostSilo</c>) and wakes them on the survivors at once. Without this a job would wait for its heartbeat reminder,
/// whose tick Orleans drops while the owner is dead: up to a whole heartbeat period after the eviction. Every silo watches; the
/// store hands each job to one of them.
/// </summary>
public sealed partial class DeadSiloJobRecovery(IClusterMembershipService membership, ILocalSiloDetails self, IJobStore store, JobWaker waker,
    TimeProvider timeProvider, ILogger<DeadSiloJobRecovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Silos already dead when this one starts belong to an earlier life of the cluster: the start-up wake pass covers them.
        var known = new Dictionary<SiloAddress, SiloStatus>();
        var first = true;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var (address, member) in snapshot.Members)
                {
                    var wasDead = known.TryGetValue(address, out var before) && before == SiloStatus.Dead;
                    known[address] = member.Status;
                    if (!first && !wasDead && member.Status == SiloStatus.Dead && !address.Equals(self.SiloAddress))
                    {
                        // Not awaited: waking thousands of jobs must not hold back the next membership change.
                        _ = Task.Run(() => RecoverAsync(address, stoppingToken), CancellationToken.None);
                    }
                }
                first = false;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RecoverAsync(SiloAddress dead, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        try
        {
            var slugs = await store.TakeJobsHostedByAsync(dead.ToString(), cancellationToken);
            if (slugs.Count == 0)
            {
                return;
            }
            LogRecovering(logger, slugs.Count, dead);
            await waker.WakeAsync(slugs, $"silo {dead} died", cancellationToken);
            var elapsedMs = timeProvider.GetElapsedTime(started).TotalMilliseconds;
            LogRecovered(logger, slugs.Count, dead, elapsedMs);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The store is unreachable: those jobs come back with their heartbeat reminders instead.
            LogRecoveryFailed(logger, ex, dead);
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Silo {Silo} is dead: waking the {Count} job(s) it hosted on the survivors")]
    private static partial void LogRecovering(ILogger logger, int count, SiloAddress silo);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Woke the {Count} job(s) of dead silo {Silo} in {ElapsedMs:0} ms")]
    private static partial void LogRecovered(ILogger logger, int count, SiloAddress silo, double elapsedMs);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "Could not take the jobs of dead silo {Silo}; their heartbeat reminders will wake them")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception, SiloAddress silo);
}
