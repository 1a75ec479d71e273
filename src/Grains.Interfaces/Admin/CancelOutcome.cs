using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Interfaces.Admin;

/// <summary>What a cancel request found and did.</summary>
[GenerateSerializer, Immutable, Alias("totallator.cancel-outcome")]
public sealed record CancelOutcome
{
    /// <summary>False: no execution has that id.</summary>
    [Id(0)] public required bool Found { get; init; }

    /// <summary>The execution's status when it was read (null when not found).</summary>
    [Id(1)] public ExecutionStatus? Status { get; init; }

    /// <summary>True: its job took the cancel; false: it had ended, or was not running on its job.</summary>
    [Id(2)] public bool Requested { get; init; }
}
