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
        // Looked up before the overlap check: the repeat of a request whose run is still going answers with that run. A repeat
        // after this activation's own write lost its answer goes on, to claim again with the same id and start that run.
        if (key is not null && await admin.FindTriggerRequestAsync(job.Id, request.UserId, key, now - IdempotencyWindow, CancellationToken.None) is { } earlier
            && !(_unansweredTriggers.TryGetValue((request.UserId, key), out var own) && own.ExecutionId == earlier))
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
        var claim = key is not null && _unansweredTriggers.TryGetValue((request.UserId, key), out var again) ? again with { StartedAt = now } : NewManualClaim(now, request.UserId, note);
        TriggerRecorded recorded;
        try
        {
            // Claim, key and audit row in one statement: a run starts only if all three were written.
            recorded = await admin.RecordTriggerAsync(new ManualTrigger
            {
                Claim = claim, IdempotencyKey = key, KeySince = now - IdempotencyWindow,
                Audit = new AuditEntry
                {
                    Id = Guid.CreateVersion7(), At = now, Actor = request.UserId, Action = "job.trigger", JobSlug = _slug,
                    Target = claim.ExecutionId.ToString(), RequestId = request.RequestId,
                    NewValuesJson = AuditJson.Of([KeyValuePair.Create("overrideRunning", (JsonNode?)request.OverrideRunning)]),
                },
            }, CancellationToken.None);
        }
        catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
        {
            // It may have committed with its answer lost. With a key, the caller's retry claims with the same id; without one,
            // the caller was told it failed and a retry is a new run, so the row (if any) is ended skipped at the next tick.
            if (key is not null)
            {
                _unansweredTriggers[(request.UserId, key)] = claim;
            }
            else
            {
                _planner.GiveUp(claim, "not run: the answer to this manual trigger was lost (the caller was told it failed)");
                ArmAt(_armedFor is { } armed && armed < now + _options.StoreRetryDelay ? armed : now + _options.StoreRetryDelay);
            }
            throw;
        }
        if (key is not null)
        {
            _unansweredTriggers.Remove((request.UserId, key));
        }
        if (recorded.Replayed && (recorded.ExecutionId != claim.ExecutionId || !recorded.Active))
        {
            // Another activation of this job (a partition) took the same key first; or this activation's own claim, whose answer
            // was lost, has ended meanwhile (its lease expired): that row answers.
            return new TriggerResult { Started = true, ExecutionId = recorded.ExecutionId, Replayed = true };
        }
        StartRun(claim);
        return new TriggerResult { Started = true, ExecutionId = claim.ExecutionId, Replayed = recorded.Replayed };
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
