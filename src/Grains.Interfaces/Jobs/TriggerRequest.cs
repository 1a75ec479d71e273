namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>A request to run a job now.</summary>
[GenerateSerializer, Immutable, Alias("totallator.trigger-request")]
public sealed record TriggerRequest
{
    /// <summary>The user or key that asks; stored as <c>triggeredByUserId</c>.</summary>
    [Id(0)] public required string UserId { get; init; }
    /// <summary>Run even while another execution of the job is running; the override is recorded on the row.</summary>
    [Id(1)] public bool OverrideRunning { get; init; }
    /// <summary>
    /// A caller-chosen key (HTTP <c>Idempotency-Key</c>): a repeated request from the same user with the same key within 24 hours
    /// starts nothing and answers with the first request's execution.
    /// </summary>
    [Id(2)] public string? IdempotencyKey { get; init; }
    /// <summary>The HTTP request that asked, kept on the audit row.</summary>
    [Id(3)] public string? RequestId { get; init; }
}

/// <summary>The answer to a <see cref="TriggerRequest"/>.</summary>
[GenerateSerializer, Immutable, Alias("totallator.trigger-result")]
public sealed record TriggerResult
{
    /// <summary>Whether an execution was started.</summary>
    [Id(0)] public required bool Started { get; init; }
    /// <summary>The started execution, or the running one that refused the trigger.</summary>
    [Id(1)] public Guid? ExecutionId { get; init; }
    /// <summary>Why the trigger was refused.</summary>
    [Id(2)] public string? RefusalReason { get; init; }
    /// <summary>The request repeated an earlier one's idempotency key; <see cref="ExecutionId"/> is the earlier request's execution.</summary>
    [Id(3)] public bool Replayed { get; init; }
}
