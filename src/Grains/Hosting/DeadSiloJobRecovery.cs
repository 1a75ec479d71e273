using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>
/// When the membership declares a silo dead (killed, hung, or shut down): fences it and hands over its claims that it cannot
/// have started (<see cref="IJobStore.FenceDeadSiloAsync"/>, see <c>Fencing.SiloCheckIn</c>), then takes the jobs that were
/// active there (<c>cronJob.hostSilo</c>) and wakes them, and those whose claims were handed over, on the survivors at once:
/// each loads the job, takes its handed-over claims over, and its misfire policy decides on the late ones. Without this a job
/// would wait for its heartbeat reminder, whose tick Orleans drops while the owner is dead (up to a whole heartbeat period),
/// and the dead silo's claims for their leases, to end <c>abandoned</c> without having run. Every silo watches; the store
/// hands each job to one of them, and fencing twice changes nothing.
/// </summary>
public sealed partial class DeadSiloJobRecovery(IClusterMembershipService membership, ILocalSiloDetails self, IJobStore store, JobWaker waker,
    IOptions<SchedulerOptions> options, SchedulerInstruments instruments, TimeProvider timeProvider, ILogger<DeadSiloJobRecovery> logger)
    : BackgroundService
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
        var handedOver = await FenceAsync(dead, cancellationToken);
        try
        {
            var hosted = await store.TakeJobsHostedByAsync(dead.ToString(), cancellationToken);
            var slugs = hosted.Union(handedOver, StringComparer.Ordinal).ToList();
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

    /// <summary>The jobs whose claims were handed over; none when the store could not be reached (their leases decide).</summary>
    private async Task<IReadOnlyList<string>> FenceAsync(SiloAddress dead, CancellationToken cancellationToken)
    {
        var window = options.Value.StartWindow;
        try
        {
            var reason = $"handed over: silo {dead} was declared dead, and the occurrence fell after its last check-in plus the start window ({window.TotalMilliseconds:0} ms), so it never started there";
            if (await store.FenceDeadSiloAsync(dead.ToString(), window, reason, cancellationToken) is not { } fence)
            {
                LogNotDeadInStore(logger, dead);
                return [];
            }
            if (fence.HandedOver > 0)
            {
                instruments.ClaimsHandedOver(fence.HandedOver);
                LogHandedOver(logger, dead, fence.HandedOver, fence.Jobs.Count, fence.LastCheckIn);
            }
            return fence.Jobs;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFenceFailed(logger, ex, dead);
            return [];
        }
    }

    [LoggerMessage(EventId = 3304, Level = LogLevel.Warning,
        Message = "Silo {Silo} is dead: handed over {Count} of its claims (of {Jobs} job(s)) that fell after its last check-in ({LastCheckIn:O}) plus the start window; their jobs take them over on the survivors")]
    private static partial void LogHandedOver(ILogger logger, SiloAddress silo, int count, int jobs, DateTimeOffset? lastCheckIn);

    [LoggerMessage(EventId = 3305, Level = LogLevel.Warning,
        Message = "Could not fence dead silo {Silo}; its claims wait for their leases")]
    private static partial void LogFenceFailed(ILogger logger, Exception exception, SiloAddress silo);

    [LoggerMessage(EventId = 3306, Level = LogLevel.Warning,
        Message = "Silo {Silo} is dead to this silo's membership view but not in the membership table; not fenced, its claims wait for their leases")]
    private static partial void LogNotDeadInStore(ILogger logger, SiloAddress silo);

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "Silo {Silo} is dead: waking the {Count} job(s) it hosted on the survivors")]
    private static partial void LogRecovering(ILogger logger, int count, SiloAddress silo);

    [LoggerMessage(EventId = 3302, Level = LogLevel.Information, Message = "Woke the {Count} job(s) of dead silo {Silo} in {ElapsedMs:0} ms")]
    private static partial void LogRecovered(ILogger logger, int count, SiloAddress silo, double elapsedMs);

    [LoggerMessage(EventId = 3303, Level = LogLevel.Warning, Message = "Could not take the jobs of dead silo {Silo}; their heartbeat reminders will wake them")]
    private static partial void LogRecoveryFailed(ILogger logger, Exception exception, SiloAddress silo);
}
