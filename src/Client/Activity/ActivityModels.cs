namespace Totallator.Client;

/// <summary>What is happening across all jobs: the executions active now and the latest that ended.</summary>
public sealed record Activity
{
    /// <summary>The database clock when read.</summary>
    public DateTimeOffset Now { get; init; }
    /// <summary>Executions running, or claimed and due, oldest first.</summary>
    public IReadOnlyList<ExecutionSummary> Active { get; init; } = [];
    /// <summary>Executions that ended after the requested instant (or the latest ones), newest first.</summary>
    public IReadOnlyList<ExecutionSummary> Ended { get; init; } = [];
}
