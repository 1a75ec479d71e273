using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Storage;

/// <summary>A manual trigger's writes, made as one (<see cref="Scheduling.ITriggerStore.RecordTriggerAsync"/>): all of them, or none.</summary>
public sealed record ManualTrigger
{
    /// <summary>
    /// The run's claim; its row is inserted <c>claimed</c> without a start, as a claim ahead is: the run starts once the answer is
    /// back, and its start is recorded if it lasts (<c>RunningRecordDelay</c>) and by its end in any case.
    /// </summary>
    public required ExecutionClaim Claim { get; init; }

    /// <summary>The caller's idempotency key, or null.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>A key recorded before this is free again (the idempotency window).</summary>
    public DateTimeOffset KeySince { get; init; }

    /// <summary>The <c>job.trigger</c> audit row.</summary>
    public required AuditEntry Audit { get; init; }
}

/// <summary>What a manual trigger's write answered.</summary>
/// <param name="ExecutionId">The execution that answers the request: the claim's own, or the one the key's earlier trigger made.</param>
/// <param name="Replayed">The key had been used within the window: nothing was written.</param>
/// <param name="Active">For a replay: that execution's row has not ended (with the caller's own claim whose answer was lost: it was never started).</param>
public readonly record struct TriggerRecorded(Guid ExecutionId, bool Replayed, bool Active);
