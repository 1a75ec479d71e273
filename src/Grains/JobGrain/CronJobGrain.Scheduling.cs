using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>
/// The shell around <see cref="JobPlanner"/>: a tick asks it for commands and carries them out (<see cref="PlanExecutor"/>); the
/// timer, the heartbeat reminder, runs, logs and metrics are the grain's. Every decision is the planner's.
/// </summary>
public sealed partial class CronJobGrain : IPlanShell
{
    /// <summary>Brings the heartbeat reminder and the timer in line with the job's state, and handles anything due.</summary>
    private async Task PlanAsync()
    {
        if (BreakerDue())
        {
            // Disabling plans the job again, as disabled; a check that did not trip goes on with the streak now known.
            await CheckBreakerAsync();
            if (_job is { IsEnabled: false })
            {
                return;
            }
        }
        if (_job is null)
        {
            // Nothing to plan for a job that is not in the store; do not linger.
            await ReleaseAheadAsync("the job is no longer in the store", CancellationToken.None, withdraw: true);
            DisposeTimer();
            DeactivateOnIdle();
            return;
        }
        if (!_planner.IsSchedulable || _armedFor is null || _armedFor <= clock.GetUtcNow())
        {
            await OnTimerAsync(CancellationToken.None);
        }
    }

    private async Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _freshFromActivation = false;
        try
        {
            if (_reloadBeforeTick)
            {
                await LoadAsync(cancellationToken);
                _reloadBeforeTick = false;
            }
            // The heartbeat also brings a job with pending one-off runs back, schedulable or not.
            await EnsureHeartbeatAsync(_planner.IsSchedulable || _oneOffs.Count > 0);
            await PlanExecutor.TickAsync(_planner, store, this, cancellationToken);
            await SleepIfIdleAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Nothing was advanced past what the store accepted: the next tick finds the same occurrences due again.
            LogTickFailed(logger, ex, _slug, _options.StoreRetryDelay);
            ArmAt(clock.GetUtcNow() + _options.StoreRetryDelay);
        }
    }

    /// <summary>
    /// A claim outside the plan (a manual trigger's, a retry's) whose answer never came and that nothing will ask for again: the
    /// planner ends it skipped at the next tick, armed soon rather than at the next occurrence, which may be hours away.
    /// </summary>
    private void GiveUpClaim(ExecutionClaim claim, string reason)
    {
        _planner.GiveUp(claim, reason);
        var soon = clock.GetUtcNow() + _options.StoreRetryDelay;
        ArmAt(_armedFor is { } armed && armed < soon ? armed : soon);
    }

    /// <summary>Gives the occurrence claimed ahead back (the job's next host handles it), e.g. when this activation goes.</summary>
    private async Task ReleaseAheadAsync(string reason, CancellationToken cancellationToken, bool withdraw = false)
    {
        if (_planner.ReleaseAhead(reason, withdraw) is { } release)
        {
            await PlanExecutor.ReleaseAsync(_planner, store, this, release, cancellationToken);
        }
    }

    /// <summary>
    /// Ends, once and best effort, the claims whose answer never came: one that committed would otherwise stay running with no
    /// run behind it until its lease expired, and then read as abandoned.
    /// </summary>
    private async Task EndUnansweredAsync(string reason, CancellationToken cancellationToken)
    {
        foreach (var end in _planner.EndUnanswered(reason, clock.GetUtcNow()))
        {
            try
            {
                await store.CompleteAsync(new ExecutionCompletion
                {
                    ExecutionId = end.Claim.ExecutionId, ScheduledFor = end.Claim.ScheduledFor, Status = end.Status, CompletedAt = end.At, StatusReason = end.Reason,
                }, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogStoreRetry(logger, ex, _slug, end.Claim.ExecutionId);
            }
        }
    }

    PlanInputs IPlanShell.Inputs() => new(clock.GetUtcNow(), settings.Current.SchedulingPaused, registry.IsStopping,
        RunInProgress()?.CurrentExecutionId, LeftRunningSkipReason(), checkIn.StartsThrough);

    void IPlanShell.StartRun(StartRunCommand command) => _ = StartRun(command.Claim, command.StartUnrecorded);

    void IPlanShell.Arm(DateTimeOffset at) => ArmAt(at);

    Task IPlanShell.ReloadAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    void IPlanShell.Disarm() => DisposeTimer();

    Task IPlanShell.SetInvalidAsync(string reason, CancellationToken cancellationToken) => SetInvalidReasonAsync(reason, cancellationToken);

    async Task IPlanShell.EndUnrunAsync(EndUnrunCommand command) => await WriteCompletionAsync(new ExecutionCompletion
    {
        ExecutionId = command.Claim.ExecutionId, ScheduledFor = command.Claim.ScheduledFor, Status = command.Status, CompletedAt = command.At, StatusReason = command.Reason,
        HeldBy = command.Claim.LeaseOwner,
    });

    void IPlanShell.Observe(PlanCommand command, bool? outcome)
    {
        switch (command)
        {
            case ClaimCommand claim when outcome == false:
                // Someone else holds this occurrence: a duplicate activation during a partition, or a replayed tick. The fence held.
                LogClaimLost(logger, _slug, claim.Claim.OccurrenceKey);
                instruments.ClaimConflict(_slug, claim.Kind == ClaimKind.Ahead ? "ahead" : "at-instant");
                break;
            case RecordUnrunCommand unrun:
                CountNotRun(unrun.Rows, unrun.Summarised);
                LogRecordedUnrun(logger, _slug, unrun.Rows.Count);
                break;
            case EndUnrunCommand end:
                CountNotRun(end.Status, end.Reason, 1);
                break;
            case ReleaseCommand release:
                LogClaimReleased(logger, _slug, release.Claim.OccurrenceKey, release.Reason);
                break;
        }
    }

    void IPlanShell.ReleaseFailed(ReleaseCommand command, Exception exception) =>
        // The row keeps its claim without renewal: the sweeper records the occurrence abandoned when the lease expires.
        LogClaimReleaseFailed(logger, exception, _slug, command.Claim.OccurrenceKey);

    private void ArmAt(DateTimeOffset at)
    {
        ArmTimer(ref _timer, OnTimerAsync, at);
        _armedFor = at;
    }

    /// <summary>Arms a one-shot grain timer for <paramref name="at"/> (now if past), and keeps the activation until just after it.</summary>
    private void ArmTimer(ref IGrainTimer? timer, Func<CancellationToken, Task> tick, DateTimeOffset at)
    {
        var due = at - clock.GetUtcNow();
        if (due < TimeSpan.Zero)
        {
            due = TimeSpan.Zero;
        }
        // One timer per purpose and activation, re-armed: a new one per fire left thousands of timer objects a second to outlive a
        // young GC generation (they live until the next fire). A change made inside the tick takes effect when the tick returns.
        if (timer is null)
        {
            timer = this.RegisterGrainTimer(tick, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        // Stay active until just after the fire; if the grain is lost anyway, the heartbeat reminder brings it back.
        this.DelayDeactivation(due + _options.HeartbeatPeriod * 2);
    }
}
