using System.Text.Json.Nodes;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Scheduling;

/// <summary>The two store calls a manual trigger makes (part of <see cref="IAdminStore"/>).</summary>
public interface ITriggerStore
{
    /// <summary>The execution started by an earlier trigger of this job by this user with this key, recorded at or after <paramref name="since"/>.</summary>
    Task<Guid?> FindTriggerRequestAsync(Guid jobId, string userId, string idempotencyKey, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// A manual trigger in one statement, all or nothing: its claim, its idempotency key (replacing a record of the key older than
    /// <see cref="ManualTrigger.KeySince"/>) and its audit row. When a fresh record of the key exists, nothing is written and the
    /// earlier execution answers; asked again with the same claim after a lost answer, that earlier execution is the claim's own.
    /// </summary>
    Task<TriggerRecorded> RecordTriggerAsync(ManualTrigger trigger, CancellationToken cancellationToken);
}

/// <summary>What a manual trigger reads of the activation it goes through, and what it asks of it (the job grain, or the simulation).</summary>
public interface ITriggerShell
{
    /// <summary>The scheduler clock.</summary>
    DateTimeOffset Now { get; }

    /// <summary>The execution of this job whose code still runs here, if any.</summary>
    Guid? RunningExecution { get; }

    /// <summary>Why a trigger without an override is refused because attempts were left running past their cancellation, or null.</summary>
    string? LeftRunningRefusal { get; }

    /// <summary>A manual run's claim: an occurrence of its own, never moving the schedule.</summary>
    ExecutionClaim NewManualClaim(DateTimeOffset now, string userId, string? note);

    /// <summary>Starts the run of a recorded trigger (its row still says claimed).</summary>
    Task StartRunAsync(ExecutionClaim claim);

    /// <summary>A trigger without a key whose answer was lost: its row, if it committed, is ended skipped soon.</summary>
    void GiveUp(ExecutionClaim claim, string reason);
}

/// <summary>
/// Manual triggers of one job's activation: idempotent by the caller's key, one statement per trigger (claim, key and audit row),
/// and a caller's retry after a lost answer claims with the same id. The job grain and the ledger simulation both go through it.
/// </summary>
public sealed class ManualTriggers
{
    /// <summary>How long an idempotency key of a manual trigger holds.</summary>
    public static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);

    // Keyed triggers whose write got no answer (it may have committed): the caller's retry claims with the same id.
    private readonly Dictionary<(string User, string Key), ExecutionClaim> _unanswered = [];

    /// <summary>
    /// For a deactivation: the keyed triggers whose answer never came, which no retry will reach through this activation any
    /// more. Each is to be ended skipped (if it committed), which frees its key: the caller's retry then runs it anew.
    /// </summary>
    public IReadOnlyList<ExecutionClaim> TakeUnanswered()
    {
        var claims = _unanswered.Values.ToList();
        _unanswered.Clear();
        return claims;
    }

    /// <summary>Why a keyed trigger given up at deactivation ended skipped.</summary>
    public const string GivenUpAtDeactivation = "not run: its activation ended before the answer to this manual trigger came back; a retry with the same idempotency key runs it anew";

    /// <summary>Triggers <paramref name="job"/> (defined, on a silo not stopping: the caller checked).</summary>
    public async Task<TriggerResult> TriggerAsync(string slug, JobRecord job, TriggerRequest request, ITriggerStore store, ITriggerShell shell,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(shell);
        var now = shell.Now;
        var key = string.IsNullOrEmpty(request.IdempotencyKey) ? null : request.IdempotencyKey;
        // Looked up before the overlap check: the repeat of a request whose run is still going answers with that run. A repeat
        // after this activation's own write lost its answer goes on, to claim again with the same id and start that run.
        if (key is not null && await store.FindTriggerRequestAsync(job.Id, request.UserId, key, now - IdempotencyWindow, cancellationToken) is { } earlier
            && !(_unanswered.TryGetValue((request.UserId, key), out var own) && own.ExecutionId == earlier))
        {
            return new TriggerResult { Started = true, ExecutionId = earlier, Replayed = true };
        }
        string? note = null;
        if (shell.RunningExecution is { } running)
        {
            if (!request.OverrideRunning)
            {
                return new TriggerResult
                {
                    Started = false, ExecutionId = running,
                    RefusalReason = $"Job '{slug}' is already running (execution {running}); ask for an override to run it anyway.",
                };
            }
            note = $"manual override by {request.UserId}: started while execution {running} was running";
        }
        if (!request.OverrideRunning && shell.LeftRunningRefusal is { } leftRunning)
        {
            return new TriggerResult { Started = false, RefusalReason = leftRunning };
        }
        var claim = key is not null && _unanswered.TryGetValue((request.UserId, key), out var again)
            ? again with { StartedAt = now }
            : shell.NewManualClaim(now, request.UserId, note);
        TriggerRecorded recorded;
        try
        {
            // Claim, key and audit row in one statement: a run starts only if all three were written.
            recorded = await store.RecordTriggerAsync(new ManualTrigger
            {
                Claim = claim, IdempotencyKey = key, KeySince = now - IdempotencyWindow,
                Audit = new AuditEntry
                {
                    Id = Guid.CreateVersion7(), At = now, Actor = request.UserId, Action = "job.trigger", JobSlug = slug,
                    Target = claim.ExecutionId.ToString(), RequestId = request.RequestId,
                    NewValuesJson = AuditJson.Of([KeyValuePair.Create("overrideRunning", (JsonNode?)request.OverrideRunning)]),
                },
            }, cancellationToken);
        }
        // A store that did not answer: PostgreSQL's failures, or StoreUnavailableException from the in-memory store (what the
        // simulation injects) and for a silo declared dead.
        catch (Exception ex) when (StoreGuard.IsUnanswered(ex))
        {
            // It may have committed with its answer lost. With a key, the caller's retry claims with the same id; without one,
            // the caller was told it failed and a retry is a new run, so the row (if any) is ended skipped soon.
            if (key is not null)
            {
                _unanswered[(request.UserId, key)] = claim;
            }
            else
            {
                shell.GiveUp(claim, "not run: the answer to this manual trigger was lost (the caller was told it failed)");
            }
            throw;
        }
        if (key is not null)
        {
            _unanswered.Remove((request.UserId, key));
        }
        if (recorded.Replayed && (recorded.ExecutionId != claim.ExecutionId || !recorded.Active))
        {
            // Another activation of this job (a partition) took the same key first; or this activation's own claim, whose answer
            // was lost, has ended meanwhile (its lease expired): that row answers.
            return new TriggerResult { Started = true, ExecutionId = recorded.ExecutionId, Replayed = true };
        }
        await shell.StartRunAsync(claim);
        return new TriggerResult { Started = true, ExecutionId = claim.ExecutionId, Replayed = recorded.Replayed };
    }
}
