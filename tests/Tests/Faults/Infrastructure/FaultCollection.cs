namespace Totallator.Tests.Faults.Infrastructure;

/// <summary>
/// The fault cases run one at a time and alone (xunit runs a collection with parallelization disabled after the others): each
/// starts several silo processes on a 2-core machine, and their bounds are in seconds.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}
