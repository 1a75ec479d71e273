using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

public sealed partial class CronJobGrain
{
    /// <summary>Brings the heartbeat reminder and the timer in line with the job's state, and handles anything due.</summary>
    private async Task PlanAsync()
    {
        await ResolveAheadAsync(CancellationToken.None);
        if (_job is null)
        {
            // Nothing to plan for a job that is not in the store; do not linger.
            DisposeTimer();
            DeactivateOnIdle();
            return;
        }
        if (!IsSchedulable)
        {
            DisposeTimer();
            await EnsureHeartbeatAsync(false);
            return;
        }
        await EnsureHeartbeatAsync(true);
        if (_armedFor is null || _armedFor <= timeProvider.GetUtcNow())
        {
            await OnTimerAsync(CancellationToken.None);
        }
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _freshFromActivation = false;
        try
        {
            await EnsureHeartbeatAsync(IsSchedulable);
            await ResolveAheadAsync(cancellationToken);
            await StartQueuedCatchUpAsync(cancellationToken);
            await ProcessDueAsync(cancellationToken);
            await ArmAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing was advanced past what the store accepted: the next tick finds the same occurrences due again.
            LogTickFailed(logger, ex, _slug, _options.StoreRetryDelay);
            ArmAt(timeProvider.GetUtcNow() + _options.StoreRetryDelay);
        }
    }

    /// <summary>Handles every occurrence due in (last handled, now]: runs, catch-ups, overlaps and misses.</summary>
    private async Task ProcessDueAsync(CancellationToken cancellationToken)
    {
        if (!IsSchedulable || registry.IsStopping)
        {
            // While the silo stops, due occurrences are left to whichever silo hosts the job next (misfire handling there).
            return;
        }
        var job = _job!;
        var now = timeProvider.GetUtcNow();
        if (_schedule!.Next(PlannedThrough) is not { } due || due > now)
        {
            // The common case (the tick of an occurrence claimed ahead, or an early tick): nothing to plan, and the planner's
            // buffers are not worth allocating thousands of times a second.
            return;
        }
        var plan = MisfirePlanner.Plan(_schedule!, PlannedThrough, now, job.MisfirePolicy, job.MisfireRunAllCap,
            _options.MisfireThreshold, _options.MaxMissedRecorded);
        if (plan.Occurrences.Count == 0 && plan.UnrecordedMissed == 0)
        {
            return;
        }

        var unrun = new List<UnrunOccurrence>();
        if (plan.UnrecordedMissed > 0)
        {
            unrun.Add(Unrun(plan.UnrecordedTo!.Value, ExecutionStatus.Missed, now,
                $"{plan.UnrecordedMissed} occurrences from {plan.UnrecordedFrom:O} to {plan.UnrecordedTo:O} were missed while it could not run (no silo hosted the job, or the database was unreachable); " +
                $"only the newest {_options.MaxMissedRecorded} get a row each, this row stands for all of them."));
        }
        var toRun = new List<PlannedOccurrence>();
        foreach (var occurrence in plan.Occurrences)
        {
            if (occurrence.Action == PlannedAction.Miss)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Missed, now, MissReason(job.MisfirePolicy, occurrence.ScheduledFor, now)));
            }
            else if (settings.Current.SchedulingPaused)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Skipped, now, PausedReason));
            }
            else if (_runs.Count > 0)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Skipped, now,
                    $"overlap: execution {_runs[0].CurrentExecutionId} of this job was still running when this occurrence fell due"));
            }
            else if (LeftRunningSkipReason() is { } leftRunningReason)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Skipped, now, leftRunningReason));
            }
            else
            {
                toRun.Add(occurrence);
            }
        }
        if (unrun.Count > 0)
        {
            await store.RecordUnrunAsync(unrun, cancellationToken);
            CountNotRun(unrun, plan.UnrecordedMissed);
            Advance(unrun.Max(u => u.ScheduledFor));
            LogRecordedUnrun(logger, _slug, unrun.Count);
        }
        if (toRun.Count == 0)
        {
            return;
        }
        // Several runs only happen under RunAll: they go one after another, never overlapping. The later ones are queued only
        // once the first is claimed: the queue counts as planned (PlannedThrough), so queuing them before a claim that fails
        // (the database down) would skip the first occurrence for good. The fault suite's database restart found this.
        var first = toRun[0];
        await StartScheduledAsync(first.ScheduledFor, first.Action == PlannedAction.Run ? TriggerSource.Scheduler : TriggerSource.CatchUp, cancellationToken);
        foreach (var later in toRun.Skip(1))
        {
            _catchUpQueue.Enqueue(later.ScheduledFor);
        }
    }

    /// <summary>The status reason of an occurrence skipped while scheduling is globally paused (<c>schedulingPaused</c>).</summary>
    internal const string PausedReason = "paused";

    private static string MissReason(MisfirePolicy policy, DateTimeOffset occurrence, DateTimeOffset now) => policy switch
    {
        MisfirePolicy.RunOnce => $"misfire (run_once): fell due {(now - occurrence).TotalSeconds:0.#} s ago while it could not run (no silo hosted the job, or the database was unreachable); only the latest missed occurrence runs",
        MisfirePolicy.Skip => $"misfire (skip): fell due {(now - occurrence).TotalSeconds:0.#} s ago while it could not run (no silo hosted the job, or the database was unreachable); policy skips missed occurrences",
        _ => $"misfire (run_all): fell due {(now - occurrence).TotalSeconds:0.#} s ago while it could not run (no silo hosted the job, or the database was unreachable); beyond the run-all cap",
    };

    private UnrunOccurrence Unrun(DateTimeOffset scheduledFor, ExecutionStatus status, DateTimeOffset now, string reason) => new()
    {
        ExecutionId = Guid.CreateVersion7(), CronJobId = _job!.Id, OccurrenceKey = OccurrenceKeys.Scheduled(scheduledFor),
        ScheduledFor = scheduledFor, Status = status, Reason = reason, RecordedAt = now,
    };

    /// <summary>
    /// The latest occurrence already dealt with, counting catch-ups queued to run (RunAll): they must not be planned twice.
    /// Only the store's <c>lastScheduledFor</c> survives the activation, so queued ones not yet claimed are found again after a crash.
    /// </summary>
    private DateTimeOffset PlannedThrough => _catchUpQueue.Count > 0 && _catchUpQueue.Max() > _lastHandled ? _catchUpQueue.Max() : _lastHandled;

    private void Advance(DateTimeOffset handled)
    {
        if (handled > _lastHandled)
        {
            _lastHandled = handled;
        }
    }

    /// <summary>
    /// Arms the timer for the next occurrence after the last handled one: for its instant once it is claimed ahead (or when
    /// claiming ahead is off), else for the moment to claim it.
    /// </summary>
    private async Task ArmAsync(CancellationToken cancellationToken)
    {
        if (!IsSchedulable)
        {
            DisposeTimer();
            return;
        }
        if (_ahead is { } ahead)
        {
            ArmAt(ahead.Claim.ScheduledFor);
            return;
        }
        if (registry.IsStopping)
        {
            // While the silo stops a tick handles nothing (ProcessDueAsync leaves due occurrences to the next host), so nothing
            // moves past the due occurrence: a timer armed for it fired again at once, tick after tick. Measured: each tick
            // completed synchronously and the next was taken in the same turn, so the activation never got to its deactivation
            // and the silo stop waited out its whole timeout (44.6 s in GrainDeactivation). The next host handles the occurrence.
            DisposeTimer();
            return;
        }
        while (true)
        {
            var next = _schedule!.Next(PlannedThrough);
            if (next is null)
            {
                // E.g. a schedule pinned to a year that has passed: visible as invalid, never silently idle.
                DisposeTimer();
                await SetInvalidReasonAsync($"{_schedule.Describe()} fires no more after {PlannedThrough:O}.", cancellationToken);
                return;
            }
            // Catch-ups queued under RunAll go first and claim at their own start (as does a tick that saw the silo begin to stop
            // just after the check above).
            // Nothing is claimed ahead while scheduling is paused: the instant records the occurrence skipped.
            if (!ClaimsAhead || _catchUpQueue.Count > 0 || registry.IsStopping || settings.Current.SchedulingPaused)
            {
                ArmAt(next.Value);
                return;
            }
            // In one of 9 slots inside the first half of the lead, at random (with 2 s: 100, 200 … 900 ms after T − 2 s). Measured
            // at 2,000 fires/s: all claims on T − 2 s landed on another group's instant (p99 162 ms); claims spread at random
            // cost a statement each (PostgreSQL at 68 % CPU); slots keep both the instants free and the batches large.
            var claimAt = next.Value - _options.ClaimAhead + _options.ClaimAhead / 20 * Random.Shared.Next(1, 10);
            if (claimAt > timeProvider.GetUtcNow())
            {
                ArmAt(claimAt);
                return;
            }
            if (await TryClaimAheadAsync(next.Value, cancellationToken))
            {
                ArmAt(next.Value);
                return;
            }
            // Someone else holds that occurrence (it is handled): plan the one after it.
        }
    }

    private void ArmAt(DateTimeOffset at)
    {
        var due = at - timeProvider.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }
        // One timer per activation, re-armed: a new one per fire left thousands of timer objects a second to outlive a young
        // GC generation (they live until the next fire). A change made inside the tick takes effect when the tick returns.
        if (_timer is null)
        {
            _timer = this.RegisterGrainTimer(OnTimerAsync, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        _armedFor = at;
        // Stay active until just after the next fire; if the grain is lost anyway, the heartbeat reminder brings it back.
        this.DelayDeactivation(due + _options.HeartbeatPeriod * 2);
    }

    private async Task EnsureHeartbeatAsync(bool wanted)
    {
        if (_reminderRegistered == wanted)
        {
            return;
        }
        var existing = await this.GetReminder(HeartbeatReminder);
        if (wanted && existing is null)
        {
            await this.RegisterOrUpdateReminder(HeartbeatReminder, _options.HeartbeatPeriod, _options.HeartbeatPeriod);
        }
        else if (!wanted && existing is not null)
        {
            await this.UnregisterReminder(existing);
        }
        _reminderRegistered = wanted;
    }
}

/// <summary>Occurrence identities, shared by every attempt of an occurrence.</summary>
public static class OccurrenceKeys
{
    /// <summary>A scheduled (or caught-up) occurrence: its instant in UTC.</summary>
    public static string Scheduled(DateTimeOffset scheduledFor) =>
        "s:" + scheduledFor.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A manual run: its own identity.</summary>
    public static string Manual(Guid executionId) => "m:" + executionId.ToString("N");
}
