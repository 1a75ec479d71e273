namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>A request to run a job now.</summary>
[GenerateSerializer, Immutable, Alias("totallator.trigger-request")]
public sealed record TriggerRequest
{
    /// <summary>The user or key that asks; stored as <c>triggeredByUserId</c>.</summary>
    [Id(0)] public required string UserId { get; init; }
    /// <summary>Run even while another execution of the job is running; the override is recorded on the row.</summary>
    [Id(1)] public bool OverrideRunning { get; init; }
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
}
