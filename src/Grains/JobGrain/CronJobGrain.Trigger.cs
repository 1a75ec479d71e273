using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>Manual triggers and cancels: idempotent by the caller's key, and audited.</summary>
public sealed partial class CronJobGrain
{
    public Task<TriggerResult> TriggerAsync(TriggerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = _job ?? throw NotFound();
        return StoreGuard.RunAsync(logger, "triggering a job", () => TriggerCoreAsync(job, request));
    }

    private async Task<TriggerResult> TriggerCoreAsync(JobRecord job, TriggerRequest request)
    {
        if (CannotRunReason(job) is { } cannotRun)
        {
            return new TriggerResult { Started = false, RefusalReason = cannotRun };
        }
        if (registry.IsStopping)
        {
            return new TriggerResult { Started = false, RefusalReason = "The silo hosting this job is shutting down; try again in a moment." };
        }
        return await _triggers.TriggerAsync(_slug, job, request, admin, this, CancellationToken.None);
    }

    DateTimeOffset ITriggerShell.Now => clock.GetUtcNow();

    Guid? ITriggerShell.RunningExecution => RunInProgress()?.CurrentExecutionId;

    string? ITriggerShell.LeftRunningRefusal => LeftRunningSkipReason() is null ? null
        : $"Job '{_slug}' has {leftRunning.CountOf(_slug)} attempts still running after they ignored their cancellation; ask for an override to run it anyway.";

    ExecutionClaim ITriggerShell.NewManualClaim(DateTimeOffset now, string userId, string? note) => NewManualClaim(now, userId, note);

    // Its row says claimed: the lease maintenance records the start if the run lasts, and its end carries it anyway.
    /// <summary>
    /// Started at once; its start is recorded at once too, unlike a scheduled run's (which waits for RunningRecordDelay to save
    /// a write per fire): the operator who triggered it sees it running. Best effort: the lease maintenance records it otherwise.
    /// </summary>
    async Task ITriggerShell.StartRunAsync(ExecutionClaim claim)
    {
        var run = StartRun(claim, startUnrecorded: true);
        var startedAt = claim.StartedAt!.Value;
        try
        {
            await store.MarkStartedManyAsync([new ExecutionStart(claim.ExecutionId, startedAt, _options.LeaseDuration, claim.ScheduledFor)], CancellationToken.None);
            run.StartRecorded(startedAt);
        }
        catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
        {
            LogStoreRetry(logger, ex, _slug, claim.ExecutionId);
        }
    }

    void ITriggerShell.GiveUp(ExecutionClaim claim, string reason) => GiveUpClaim(claim, reason);

    public Task<bool> CancelAsync(Guid executionId, string userId, string? requestId)
    {
        _ = _job ?? throw NotFound();
        var run = _runs.FirstOrDefault(r => r.CurrentExecutionId == executionId);
        if (run is null)
        {
            return Task.FromResult(false);
        }
        return StoreGuard.RunAsync(logger, "cancelling an execution", async () =>
        {
            // The row may have ended a moment ago while the run loop has not yet taken its next turn here to drop the run.
            if (await store.GetExecutionAsync(executionId, CancellationToken.None) is not { } row || !row.Status.IsActive())
            {
                return false;
            }
            // Audited first: if the database is down, nothing is cancelled and the caller can retry.
            await admin.AppendAuditAsync(new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = clock.GetUtcNow(), Actor = userId, Action = "execution.cancel", JobSlug = _slug,
                Target = executionId.ToString(), RequestId = requestId,
            }, CancellationToken.None);
            LogCancelRequested(logger, _slug, executionId, userId);
            run.Cancel(Execution.CancelReason.Admin, userId);
            return true;
        });
    }
}
