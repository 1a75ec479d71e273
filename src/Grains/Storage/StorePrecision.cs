namespace Totallator.Grains.Storage;

/// <summary>Times as PostgreSQL keeps them: a <c>timestamptz</c> holds microseconds, .NET ticks are a tenth of one.</summary>
public static class StorePrecision
{
    /// <summary>
    /// <paramref name="at"/> cut to whole microseconds, so what an answer shows equals what a later read of the row gives back.
    /// </summary>
    public static DateTimeOffset Microseconds(DateTimeOffset at) => at.AddTicks(-(at.Ticks % TimeSpan.TicksPerMicrosecond));
}
