using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>
/// When the silo becomes active: syncs the definitions from code and configuration into <c>cronJob</c>, then asks every job's
/// grain to reload and plan (in the background), so new and changed jobs are scheduled without waiting for a heartbeat.
/// </summary>
public sealed partial class DefinitionSyncStartup(IJobStore store, JobCatalog catalog, JobWaker waker, TimeProvider timeProvider,
    IClusterMembershipService membership, ILocalSiloDetails self, IGrainFactory grains, IOptions<ClusterOptions> cluster,
    IOptions<SchedulerOptions> options, ILogger<DefinitionSyncStartup> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>Silos starting within this of the one that woke every job do not wake them again.</summary>
    private static readonly TimeSpan WakePassWindow = TimeSpan.FromSeconds(60);
    private readonly CancellationTokenSource _stopping = new();

    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(DefinitionSyncStartup), ServiceLifecycleStage.Active + 1, StartAsync, _ =>
        {
            _stopping.Cancel();
            return Task.CompletedTask;
        });
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var definitions = catalog.All.ToList();
        // Whole microseconds, as PostgreSQL stores them, so rows stamped by this sync compare equal to it when read back.
        var clock = timeProvider.GetUtcNow();
        var now = clock.AddTicks(-(clock.Ticks % 10));
        await store.SyncDefinitionsAsync(definitions, now, cancellationToken);
        var jobs = await store.ListJobsAsync(cancellationToken);
        var orphaned = jobs.Count(j => j.IsOrphaned);
        LogSynced(logger, definitions.Count, jobs.Count, orphaned);
        // One silo of those starting together wakes every job (a grain activates wherever placement puts it, so once is
        // enough); the others wake only what their own sync inserted or changed (stamped with this sync's instant).
        // A pass made by a silo that is no longer active belongs to an earlier life of the cluster (stopped and started again
        // within the window): nothing hosts the jobs now, so this start must wake them all. The fault suite's whole-cluster stop
        // found this: without it, jobs waited for their heartbeat reminder (5 minutes by default).
        var me = self.SiloAddress.ToParsableString();
        var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(m => m.SiloAddress.ToParsableString())
            .Append(me).ToList();
        var wakeAll = await store.TryBeginWakePassAsync(now, WakePassWindow, me, active, cancellationToken);
        var toWake = wakeAll ? jobs : jobs.Where(j => j.UpdatedAt >= now).ToList();
        // Their heartbeat reminders in a few statements rather than two Orleans calls and a commit per job: the grains read at
        // load that theirs is there. A reminder service that already runs sees new rows at its next refresh; until then those
        // jobs are awake anyway, fired by their timers.
        var heartbeats = toWake.Where(j => j is { IsEnabled: true, IsOrphaned: false, InvalidReason: null })
            .Select(j => HeartbeatRow.For(grains.GetGrain<Interfaces.Jobs.ICronJobGrain>(j.Slug).GetGrainId())).ToList();
        var written = await store.WriteHeartbeatsAsync(cluster.Value.ServiceId, heartbeats, options.Value.HeartbeatPeriod, cancellationToken);
        LogWaking(logger, toWake.Count, wakeAll, written);
        _ = Task.Run(() => waker.WakeAsync(toWake.Select(j => j.Slug).ToList(), "start-up", _stopping.Token), CancellationToken.None);
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Synced {Defined} job definition(s); {Stored} job(s) stored, {Orphaned} orphaned")]
    private static partial void LogSynced(ILogger logger, int defined, int stored, int orphaned);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information, Message = "Waking {Count} job(s) (all jobs: {WakeAll}); {Heartbeats} heartbeat reminder(s) written")]
    private static partial void LogWaking(ILogger logger, int count, bool wakeAll, int heartbeats);
}
