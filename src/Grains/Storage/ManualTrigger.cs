using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Storage;

/// <summary>A manual trigger's writes, made as one (<see cref="IAdminStore.RecordTriggerAsync"/>): all of them, or none.</summary>
public sealed record ManualTrigger
{
    /// <summary>The run's claim; its row is inserted <c>claimed</c> (a row says running once its run has started).</summary>
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
/// <param name="Unstarted">For a replay: that execution's row is still claimed and was never started (its trigger's answer was lost).</param>
public readonly record struct TriggerRecorded(Guid ExecutionId, bool Replayed, bool Unstarted);
