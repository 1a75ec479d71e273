using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Totallator.Grains.Admin;
using Totallator.Grains.Clock;
using Totallator.Grains.Dependencies;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Execution;
using Totallator.Grains.Fencing;
using Totallator.Grains.Hosting;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>
/// One cron job. A durable Orleans reminder (the heartbeat) re-activates it after its silo dies or the cluster restarts; while
/// active, a grain timer armed for the exact next occurrence fires it on time. Every occurrence is claimed in the store under a
/// unique constraint before it runs, so even a duplicate activation during a partition cannot run it twice. Occurrences that
/// fell due while nobody was watching are found from <c>cronJob.lastScheduledFor</c> and handled by the misfire policy.
/// </summary>
/// <remarks>
/// Random placement: with the default placement, a whole burst of new grains landed on one silo (measured on a 2-silo cluster).
/// Job code runs off the grain turn (<see cref="AttemptRunner"/>); the run loop's own bookkeeping resumes on the grain's
/// scheduler, so grain fields need no locks.
/// </remarks>
[RandomPlacement]
public sealed partial class CronJobGrain(
    IJobStore store,
    IAdminStore admin,
    IDependencyStore dependencies,
    OneOff.IOneOffStore oneOffs,
    SchedulerSettingsCache settings,
    JobCatalog catalog,
    JobTypes.JobTypeCatalog types,
    JobTypes.IApiJobStore apiJobs,
    AttemptRunner runner,
    RunRegistry registry,
    LeftRunningAttempts leftRunning,
    SchedulerClock clock,
    SiloCheckIn checkIn,
    IOptions<SchedulerOptions> options,
    IOptions<Orleans.Configuration.ClusterOptions> cluster,
    ILocalSiloDetails siloDetails,
    SchedulerInstruments instruments,
    ScheduleVariables variables,
    ILogger<CronJobGrain> logger) : Grain, ICronJobGrain, IRemindable, ITriggerShell
{
    internal const string HeartbeatReminder = HeartbeatRow.ReminderName;

    private readonly SchedulerOptions _options = options.Value;
    private readonly string _serviceId = cluster.Value.ServiceId;
    private readonly List<ActiveRun> _runs = [];
    private readonly ManualTriggers _triggers = new();
    private readonly JobPlanner _planner = new(
        new PlannerSettings(options.Value.ClaimAhead, options.Value.MisfireThreshold, options.Value.MaxMissedRecorded, options.Value.LeaseDuration,
            siloDetails.SiloAddress.ToString()),
        Guid.CreateVersion7, Random.Shared);
    private string _slug = "";
    private JobRecord? _job;
    private CronJobDefinition? _definition;
    private CronSchedule? _schedule;
    private string? _invalidReason;
    private IGrainTimer? _timer;
    private DateTimeOffset? _armedFor;
    // The row read by OnActivateAsync is still fresh for a Reload that is itself the activating call (start-up wakes every job):
    // reading it again would double the store reads of a cluster start.
    private bool _freshFromActivation;
    // An admin change failed without an answer: it may have committed, so the job is read again before the next tick plans.
    private bool _reloadBeforeTick;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _slug = this.GetPrimaryKeyString();
        await LoadAsync(cancellationToken);
        _freshFromActivation = true;
        if (_job is null)
        {
            // An unknown slug (a typo in a URL): no timer, which would keep the activation alive. The call that activated it
            // gets "not found" and deactivates it (see NotFound); DeactivateOnIdle here would race with that very call.
            return;
        }
        // Not awaited (batched with the silo's other activations): only used to wake this job at once if this silo dies.
        _ = RecordHostAsync(_job.Id);
        // Catch-up and arming happen in a timer tick right after activation, not here: a store outage then delays the job
        // instead of failing whatever call activated it.
        ArmAt(clock.GetUtcNow());
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        DisposeTimer();
        // Whoever hosts the job next handles that occurrence (by its misfire policy, if its instant has passed by then).
        await ReleaseAheadAsync($"deactivating: {reason.Description}", cancellationToken);
        foreach (var trigger in _triggers.TakeUnanswered())
        {
            _planner.GiveUp(trigger, ManualTriggers.GivenUpAtDeactivation);
        }
        if (_dependencyRuns.TakeUnanswered() is { } dependencyClaim)
        {
            _planner.GiveUp(dependencyClaim, DependencyRuns.GivenUpAtDeactivation);
        }
        GiveUpOneOffs();
        await EndUnansweredAsync($"not run: its activation ended ({reason.Description}) before this claim was answered", cancellationToken);
        if (_runs.Count > 0)
        {
            LogDeactivatingWithRuns(logger, _slug, _runs.Count, reason.Description);
            try
            {
                await Task.WhenAll(_runs.Select(r => r.Completion)).WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Whatever is still running keeps no lease renewal after this; the sweeper records it abandoned.
            }
        }
        if (_job is { IsEnabled: true, IsOrphaned: false } && !registry.IsStopping && !_asleep
            && reason.ReasonCode is not (DeactivationReasonCode.ShuttingDown or DeactivationReasonCode.ActivationIdle))
        {
            ComeBack(reason);
        }
    }

    /// <summary>
    /// The runtime took this activation away while its schedule still runs (measured: when a silo dies, Orleans deactivates
    /// the survivors' activations whose directory entries lived on it: 425 of 696 in one bench run). Nothing would call the job
    /// again until its heartbeat, minutes later: ask for a new activation now. Not for an idle or shutting-down activation.
    /// </summary>
    private void ComeBack(DeactivationReason reason)
    {
        var grains = GrainFactory;
        var slug = _slug;
        LogComingBack(logger, slug, reason.ReasonCode, reason.Description);
        // Off the grain's scheduler: the call must reach the next activation, not queue behind this deactivation.
        _ = Task.Run(async () =>
        {
            try
            {
                await grains.GetGrain<ICronJobGrain>(slug).EnsureScheduledAsync();
            }
            catch (Exception ex)
            {
                LogComeBackFailed(logger, ex, slug);
            }
        });
    }

    public Task EnsureScheduledAsync() => PlanAsync();

    private async Task RecordHostAsync(Guid jobId)
    {
        try
        {
            await store.SetHostsAsync([new JobHost(jobId, siloDetails.SiloAddress.ToString())], CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Only recovery speed depends on it: without the record, the heartbeat reminder brings the job back after a silo dies.
            LogHostNotRecorded(logger, ex, _slug);
        }
    }

    public async Task ReloadAsync()
    {
        if (!_freshFromActivation)
        {
            await LoadAsync(CancellationToken.None);
        }
        _freshFromActivation = false;
        await PlanAsync();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // A wake-up and a heartbeat are the same reminder; its period tells which this is (see CronJobGrain.Sleep).
        _reminderPeriod = status.Period;
        if (_job is null)
        {
            // The job was deleted from the store: stop the heartbeat for good.
            if (await this.GetReminder(reminderName) is { } orphanReminder)
            {
                await this.UnregisterReminder(orphanReminder);
            }
            DeactivateOnIdle();
            return;
        }
        // Read the job again: an activation that missed a change (a second activation during a partition, an admin change whose
        // reply was lost) would otherwise keep planning, or keep idling, on the job as it was (found by the simulation). One
        // read per job and heartbeat period (100,000 jobs at 5 min: 333 reads a second).
        if (!_freshFromActivation)
        {
            try
            {
                await LoadAsync(CancellationToken.None);
            }
            catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
            {
                // Planned on the job as this activation knows it; the next heartbeat reads again.
                LogTickFailed(logger, ex, _slug, _options.HeartbeatPeriod);
            }
        }
        _freshFromActivation = false;
        await PlanAsync();
    }

    public Task<JobSnapshot> GetSnapshotAsync() => Task.FromResult(Snapshot());

    /// <summary>The job is not in the store: the error for the caller, and this activation goes once the call ends.</summary>
    private CronJobNotFoundException NotFound()
    {
        DeactivateOnIdle();
        return new CronJobNotFoundException($"No job with slug '{_slug}'.");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var load = await store.LoadJobAsync(_slug, siloDetails.SiloAddress.ToString(), _options.LeaseDuration, cancellationToken,
            new HeartbeatKey(_serviceId, this.GetGrainId().ToString()));
        _job = load.Job;
        if (load.ReminderPeriod is { } period)
        {
            // Read with the job, so that a start-up of 100,000 jobs asks Orleans for none of their reminders (see HeartbeatRow).
            _reminderPeriod = period;
        }
        _definition = DefinitionOf(_job);
        _armedFor = null;
        var now = clock.GetUtcNow();
        if (_job is null)
        {
            _schedule = null;
            _invalidReason = null;
            _planner.Load(null, null, defined: false, now);
            _oneOffs = [];
            ArmOneOffs(null);
            return;
        }
        _schedule = JobSchedules.Parse(_job, now, variables, out var error);
        // A job from a job type that cannot run here says why where admins look (its row's invalid reason).
        error ??= _job.IsOrphaned ? null : _definitionProblem;
        _planner.Load(_job, _schedule, _definition is not null, now, load.TakenOver);
        _oneOffs = [.. load.OneOffs];
        ArmOneOffs(null);
        if (load.TakenOver.Count > 0)
        {
            LogTookOver(logger, _slug, load.TakenOver.Count);
        }
        await SetInvalidReasonAsync(error, cancellationToken);
    }

    private async Task SetInvalidReasonAsync(string? reason, CancellationToken cancellationToken)
    {
        if (_job is null || _invalidReason == reason && _job.InvalidReason == reason)
        {
            _invalidReason = reason;
            return;
        }
        _invalidReason = reason;
        if (reason is not null)
        {
            LogInvalid(logger, _slug, reason);
        }
        await store.SetInvalidReasonAsync(_job.Id, reason, cancellationToken);
        _job = _job with { InvalidReason = reason };
    }

    private JobSnapshot Snapshot()
    {
        var job = _job ?? throw NotFound();
        return new JobSnapshot
        {
            Id = job.Id, Slug = job.Slug, Name = job.Name, Description = job.Description, Schedule = job.Schedule,
            ResolvedSchedule = _schedule?.ResolvedExpression, TimeZone = job.TimeZone, IsEnabled = job.IsEnabled, TimeoutMs = job.TimeoutMs,
            MaxRetries = job.MaxRetries, MisfirePolicy = job.MisfirePolicy, MisfireRunAllCap = job.MisfireRunAllCap,
            InvalidReason = _invalidReason ?? (_definition is null && !job.IsOrphaned ? _definitionProblem ?? "No definition of this job on the silo that hosts it." : null),
            IsOrphaned = job.IsOrphaned, Source = job.Source, OverriddenFields = job.OverriddenFields,
            RunningExecutionIds = _runs.Select(r => r.CurrentExecutionId).ToList(),
            NextFireAt = _planner.NextFireAt,
            LastScheduledFor = _planner.LastHandled == default ? job.LastScheduledFor : _planner.LastHandled,
            Version = job.Version, UpdatedAt = job.UpdatedAt, LastModifiedBy = job.LastModifiedBy,
        };
    }

    private void DisposeTimer()
    {
        _timer?.Dispose();
        _timer = null;
        _armedFor = null;
    }
}
