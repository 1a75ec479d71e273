using System.Text.Json.Nodes;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>Manual triggers and cancels: idempotent by the caller's key, and audited.</summary>
public sealed partial class CronJobGrain
{
    /// <summary>How long an idempotency key of a manual trigger holds.</summary>
    internal static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    public Task<TriggerResult> TriggerAsync(TriggerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = _job ?? throw NotFound();
        return StoreGuard.RunAsync(logger, "triggering a job", () => TriggerCoreAsync(job, request));
    }

    private async Task<TriggerResult> TriggerCoreAsync(JobRecord job, TriggerRequest request)
    {
        if (job.IsOrphaned || _definition is null)
        {
            return new TriggerResult { Started = false, RefusalReason = $"Job '{_slug}' is no longer defined in code or configuration; it cannot run." };
        }
        if (registry.IsStopping)
        {
            return new TriggerResult { Started = false, RefusalReason = "The silo hosting this job is shutting down; try again in a moment." };
        }
        var now = clock.GetUtcNow();
        var key = string.IsNullOrEmpty(request.IdempotencyKey) ? null : request.IdempotencyKey;
        // Looked up before the overlap check: the repeat of a request whose run is still going answers with that run.
        if (key is not null && await admin.FindTriggerRequestAsync(job.Id, request.UserId, key, now - IdempotencyWindow, CancellationToken.None) is { } earlier)
        {
            return new TriggerResult { Started = true, ExecutionId = earlier, Replayed = true };
        }
        string? note = null;
        if (RunInProgress() is { } inProgress)
        {
            var running = inProgress.CurrentExecutionId;
            if (!request.OverrideRunning)
            {
                return new TriggerResult
                {
                    Started = false, ExecutionId = running,
                    RefusalReason = $"Job '{_slug}' is already running (execution {running}); ask for an override to run it anyway.",
                };
            }
            note = $"manual override by {request.UserId}: started while execution {running} was running";
        }
        if (!request.OverrideRunning && LeftRunningSkipReason() is not null)
        {
            return new TriggerResult
            {
                Started = false,
                RefusalReason = $"Job '{_slug}' has {leftRunning.CountOf(_slug)} attempts still running after they ignored their cancellation; ask for an override to run it anyway.",
            };
        }
        var claim = NewManualClaim(now, request.UserId, note);
        if (!await store.TryClaimAsync(claim, CancellationToken.None))
        {
            throw new InvalidOperationException($"Manual occurrence {claim.OccurrenceKey} was already claimed; this cannot happen with a fresh id.");
        }
        try
        {
            if (key is not null)
            {
                var onRecord = await admin.RecordTriggerRequestAsync(job.Id, request.UserId, key, claim.ExecutionId, now, now - IdempotencyWindow, CancellationToken.None);
                if (onRecord != claim.ExecutionId)
                {
                    // Another activation of this job (a partition) took the same key first: that run answers.
                    await EndUnstartedAsync(claim, $"not started: idempotency key already used by execution {onRecord}");
                    return new TriggerResult { Started = true, ExecutionId = onRecord, Replayed = true };
                }
            }
            await admin.AppendAuditAsync(new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = now, Actor = request.UserId, Action = "job.trigger", JobSlug = _slug,
                Target = claim.ExecutionId.ToString(), RequestId = request.RequestId,
                NewValuesJson = AuditJson.Of([KeyValuePair.Create("overrideRunning", (JsonNode?)request.OverrideRunning)]),
            }, CancellationToken.None);
        }
        catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
        {
            // Not started: without its key or audit row the run must not happen. If this write fails too, the lease expires.
            await EndUnstartedAsync(claim, "not started: the database failed while the trigger was being recorded");
            throw;
        }
        StartRun(claim);
        return new TriggerResult { Started = true, ExecutionId = claim.ExecutionId };
    }

    /// <summary>Ends a manual claim that will not run, best effort.</summary>
    private async Task EndUnstartedAsync(ExecutionClaim claim, string reason)
    {
        try
        {
            await store.CompleteAsync(new ExecutionCompletion
            {
                ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Skipped, CompletedAt = clock.GetUtcNow(), StatusReason = reason,
            }, CancellationToken.None);
        }
        catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
        {
            // The row keeps its lease without renewal: the sweeper records it abandoned.
            LogStoreRetry(logger, ex, _slug, claim.ExecutionId);
        }
    }

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
