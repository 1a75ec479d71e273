using Totallator.Grains.Clock;

namespace Totallator.Tests.Cluster.Infrastructure;

/// <summary>Comparing times that different silos recorded.</summary>
internal static class SiloClocks
{
    /// <summary>
    /// How far two silos' recorded times may disagree. An upstream's end is stamped by its silo's clock and a downstream's start
    /// by another's; each is corrected to the database's clock to within half a measuring round trip, and ClockSync refuses a
    /// reading slower than <see cref="ClockSync.MaxRoundTrip"/>. Order itself is proven by the rows, not the clocks: a
    /// downstream's claim consumes a signal that the upstream's end wrote in the same statement.
    /// </summary>
    public static readonly TimeSpan Tolerance = ClockSync.MaxRoundTrip;

    /// <summary>True when <paramref name="later"/>, recorded on one silo, is not before <paramref name="earlier"/>, recorded on another.</summary>
    public static bool NotBefore(DateTimeOffset? later, DateTimeOffset? earlier) => later >= earlier - Tolerance;
}
