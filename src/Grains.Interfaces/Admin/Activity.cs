namespace Totallator.Grains.Interfaces.Admin;

/// <summary>
/// What is happening across all jobs: the executions active now and the latest that ended. The admin pages poll it (through
/// the AdminApi's event stream) to update rows live without listing every job again.
/// </summary>
[GenerateSerializer, Immutable, Alias("totallator.activity")]
public sealed record Activity
{
    /// <summary>The database clock when read; pass it back as the next <c>endedSince</c>.</summary>
    [Id(0)] public required DateTimeOffset Now { get; init; }
    /// <summary>Executions running, or claimed and already due (about to start), oldest first.</summary>
    [Id(1)] public required IReadOnlyList<ExecutionSummary> Active { get; init; }
    /// <summary>Executions that ended after the requested instant (or the latest ones), newest first, at most the requested count.</summary>
    [Id(2)] public required IReadOnlyList<ExecutionSummary> Ended { get; init; }
}
