using Totallator.Grains.Diagnostics;
using Totallator.Grains.Execution;
using Totallator.Grains.Hosting;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

public sealed partial class CronJobGrain
{
    /// <summary>A manual run's claim: an occurrence of its own, never moving the schedule.</summary>
    private ExecutionClaim NewManualClaim(DateTimeOffset now, string userId, string? reason)
    {
        var id = Guid.CreateVersion7();
        return OwnClaim(id, OccurrenceKeys.Manual(id), now, now, TriggerSource.Manual, userId, reason);
    }

    /// <summary>
    /// The first attempt's claim of an occurrence outside the schedule (a manual, dependency or one-off run), held by this silo: it
    /// never moves the schedule, and is not fenced by the job version (no schedule planned it).
    /// </summary>
    private ExecutionClaim OwnClaim(Guid executionId, string occurrenceKey, DateTimeOffset scheduledFor, DateTimeOffset? startedAt, TriggerSource trigger,
        string? userId, string? reason) => new()
    {
        ExecutionId = executionId, CronJobId = _job!.Id, OccurrenceKey = occurrenceKey, ScheduledFor = scheduledFor, StartedAt = startedAt,
        TriggeredBy = trigger, TriggeredByUserId = userId, RetryCount = 0, LeaseOwner = siloDetails.SiloAddress.ToString(),
        LeaseDuration = _options.LeaseDuration, StatusReason = reason, AdvancesSchedule = false,
    };

    /// <summary>The run whose job code still runs (or waits for its retry), if any; one whose end is only being written is not.</summary>
    private ActiveRun? RunInProgress() => _runs.Find(r => !r.Finished);

    /// <param name="claim">The claimed attempt.</param>
    /// <param name="startUnrecorded">The row still says claimed (a claim ahead): the lease maintenance records the start if the run lasts.</param>
    private ActiveRun StartRun(ExecutionClaim claim, bool startUnrecorded = false)
    {
        var run = new ActiveRun(_slug, claim.ExecutionId, claim.ScheduledFor);
        if (startUnrecorded)
        {
            run.SetUnrecordedStart(claim.StartedAt!.Value);
        }
        _runs.Add(run);
        registry.Add(run);
        var job = _job!;
        // Keep the activation for as long as every attempt and backoff could take.
        var worstCase = TimeSpan.FromMilliseconds((double)job.TimeoutMs * (job.MaxRetries + 1))
            + _options.RetryMaxDelay * job.MaxRetries + _options.CancellationGrace + _options.HeartbeatPeriod;
        this.DelayDeactivation(worstCase);
        instruments.OccurrenceStarted(_slug, claim.TriggeredBy, claim.StartedAt!.Value - claim.ScheduledFor);
        instruments.RunsActive(+1);
        // Not awaited: the grain turn ends now. The loop's own continuations resume on this grain's scheduler.
        _ = RunOccurrenceAsync(run, claim, _definition!);
        return run;
    }

    private async Task RunOccurrenceAsync(ActiveRun run, ExecutionClaim claim, Jobs.CronJobDefinition definition)
    {
        // Opened here, in the loop's own flow: every line and activity of the occurrence, the job's included, nests under them,
        // and the grain call that started the run keeps its own (an async method restores its caller's context).
        using var logScope = logger.BeginScope(new RunLogScope(_slug, run, claim.OccurrenceKey, claim.ScheduledFor));
        using var activity = SchedulerActivities.StartOccurrence(_slug, claim.OccurrenceKey, claim.ScheduledFor, claim.TriggeredBy);
        LogRunStarted(logger, _slug, claim.ExecutionId, claim.OccurrenceKey, claim.TriggeredBy);
        ExecutionStatus? lastStatus = null;
        var attempts = 0;
        try
        {
            while (true)
            {
                var info = new AttemptInfo(_slug, claim.ExecutionId, claim.OccurrenceKey, claim.ScheduledFor, claim.TriggeredBy,
                    claim.TriggeredByUserId, claim.RetryCount);
                var outcome = await runner.RunAsync(definition, info, TimeSpan.FromMilliseconds(_job!.TimeoutMs), run);
                run.ClearUnrecordedStart();
                lastStatus = outcome.Status;
                attempts++;
                var retries = ShouldRetry(outcome, claim.RetryCount);
                if (!retries)
                {
                    // Its end may take a store outage to write: the job is done, so the next occurrence is no overlap (the
                    // fault suite's database restart found run_all catch-ups skipped behind an end still being written).
                    run.MarkFinished();
                    WakeForCatchUps();
                }
                // Written as final when no retry follows: the end signals the downstream jobs in the same statement.
                await CompleteAsync(claim, outcome, final: !retries);
                if (!retries)
                {
                    TellDownstreams();
                    if (outcome.Status is ExecutionStatus.Failed or ExecutionStatus.TimedOut)
                    {
                        await CheckBreakerAsync();
                    }
                    break;
                }
                if (!ShouldRetry(outcome, claim.RetryCount))
                {
                    await SignalDownstreamAsync(claim.ExecutionId);
                    await CheckBreakerAsync();
                    break;
                }
                var retry = claim.RetryCount + 1;
                var delay = _options.RetryDelay(retry);
                try
                {
                    await Task.Delay(delay, clock, run.Token);
                }
                catch (OperationCanceledException)
                {
                    await SignalDownstreamAsync(claim.ExecutionId);
                    break;
                }
                if (registry.IsStopping)
                {
                    await SignalDownstreamAsync(claim.ExecutionId);
                    break;
                }
                var failed = claim.ExecutionId;
                claim = Retries.NextAttempt(claim, Guid.CreateVersion7(), _job.MaxRetries, delay);
                var claimed = await ClaimRetryAsync(claim);
                if (claimed != true)
                {
                    if (claimed is null)
                    {
                        // Given up unanswered: the retry will not run, so the failed attempt was the occurrence's last. (One
                        // another activation holds is run, and signals, there.)
                        await SignalDownstreamAsync(failed);
                    }
                    break;
                }
                claim = claim with { StartedAt = clock.GetUtcNow() };
                run.SetUnrecordedStart(claim.StartedAt.Value);
                run.CurrentExecutionId = claim.ExecutionId;
            }
        }
        catch (Exception ex)
        {
            // The attempt's row stays running without lease renewal from here on; the sweeper records it abandoned.
            LogRunLoopFailed(logger, ex, _slug, claim.ExecutionId);
        }
        finally
        {
            SchedulerActivities.EndOccurrence(activity, lastStatus, attempts);
            instruments.RunsActive(-1);
            _runs.Remove(run);
            registry.Remove(run);
            run.MarkDone();
            run.Dispose();
        }
        WakeForCatchUps();
        if (_oneOffs.Any(o => o.RunAt <= clock.GetUtcNow()))
        {
            // A one-off run that came due while this one ran.
            ArmOneOffs(clock.GetUtcNow());
        }
        if (_job is { After.Count: > 0 })
        {
            // Signals that came while this job ran are acted on now.
            await CheckDependenciesAsync();
        }
        // The tick that started this run kept the job awake for it; with the run ended, the next occurrence may be far.
        await SleepIfIdleAsync();
    }

    /// <summary>
    /// Claims a retry, asking again with the same id through a store outage (a claim is idempotent by its id: one whose reply was
    /// lost is answered as the claimant's) for up to a lease. False when another holds it; null when the store never answered:
    /// then the claim, if it committed, is ended skipped at the next tick rather than left open with no run behind it.
    /// </summary>
    private async Task<bool?> ClaimRetryAsync(ExecutionClaim claim)
    {
        var deadline = clock.GetUtcNow() + _options.LeaseDuration;
        while (true)
        {
            try
            {
                if (await store.TryClaimAsync(claim, CancellationToken.None))
                {
                    return true;
                }
                LogClaimLost(logger, _slug, $"{claim.OccurrenceKey}#{claim.RetryCount}");
                instruments.ClaimConflict(_slug, "retry");
                return false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStoreRetry(logger, ex, _slug, claim.ExecutionId);
                if (clock.GetUtcNow() >= deadline || registry.IsStopping)
                {
                    GiveUpClaim(claim, $"not run: the claim of retry {claim.RetryCount} got no answer from the database for {_options.LeaseDuration.TotalSeconds:0} s");
                    return null;
                }
                await Task.Delay(_options.StoreRetryDelay, clock);
            }
        }
    }

    private void WakeForCatchUps()
    {
        if (_planner.HasCatchUps)
        {
            // Queued catch-ups start from a timer tick, a proper grain turn, like every other scheduling decision.
            ArmAt(clock.GetUtcNow());
        }
    }

    private bool ShouldRetry(AttemptOutcome outcome, int retryCount) =>
        Retries.ShouldRetry(outcome.Status, outcome.JobStillRunning, outcome.CancelledFromOutside, retryCount, _job?.MaxRetries ?? 0, registry.IsStopping);

    /// <summary>Records an attempt's end; <paramref name="final"/>: no retry follows (see <see cref="ExecutionCompletion.Final"/>).</summary>
    private Task CompleteAsync(ExecutionClaim claim, AttemptOutcome outcome, bool final) => WriteCompletionAsync(new ExecutionCompletion
    {
        // The start time goes with the end: the start write of a claim taken ahead may not have landed yet.
        ExecutionId = claim.ExecutionId, ScheduledFor = claim.ScheduledFor, Status = outcome.Status, StartedAt = claim.StartedAt, CompletedAt = outcome.CompletedAt,
        DurationMs = outcome.DurationMs, ExitCode = outcome.ExitCode, Output = outcome.Output, ErrorMessage = outcome.ErrorMessage,
        StackTrace = outcome.StackTrace, MemoryUsageMb = outcome.MemoryUsageMb, CpuUsagePercent = outcome.CpuUsagePercent,
        ItemsProcessed = outcome.ItemsProcessed, Metrics = outcome.Metrics, StatusReason = outcome.StatusReason, Final = final,
    });

    /// <summary>Ends a row, retrying through a store outage (see <see cref="SchedulerOptions.CompletionRetryLeases"/>).</summary>
    private async Task WriteCompletionAsync(ExecutionCompletion completion)
    {
        var executionId = completion.ExecutionId;
        var deadline = clock.GetUtcNow() + _options.LeaseDuration * SchedulerOptions.CompletionRetryLeases;
        while (true)
        {
            try
            {
                if (!await store.CompleteAsync(completion, CancellationToken.None))
                {
                    LogCompletionRefused(logger, _slug, executionId, completion.Status);
                }
                return;
            }
            catch (Exception ex) when (clock.GetUtcNow() < deadline)
            {
                LogStoreRetry(logger, ex, _slug, executionId);
                await Task.Delay(_options.StoreRetryDelay, clock);
            }
        }
    }
}
