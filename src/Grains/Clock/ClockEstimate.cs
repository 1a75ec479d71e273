namespace Totallator.Grains.Clock;

/// <summary>One reading of the database's clock: the host's clock when the query left, the round trip, and what the database said.</summary>
/// <param name="SentAt">The host's wall clock when the query was sent.</param>
/// <param name="RoundTrip">From sending to the answer, on the host's monotonic clock (a wall-clock step in between does not count).</param>
/// <param name="DatabaseTime">The database's <c>clock_timestamp()</c>, taken somewhere within the round trip.</param>
public readonly record struct ClockSample(DateTimeOffset SentAt, TimeSpan RoundTrip, DateTimeOffset DatabaseTime);

/// <summary>The offset to add to the host's clock to read the database's, and how far it may be off.</summary>
public readonly record struct ClockEstimate(TimeSpan Offset, TimeSpan Uncertainty)
{
    /// <summary>
    /// The estimate from the sample with the shortest round trip (NTP's choice: the database read its clock somewhere within
    /// the round trip, so the midpoint is off by at most half of it, and the quickest sample bounds that best). Null when no
    /// sample came back within <paramref name="maxRoundTrip"/>: a slow database or a stalled host gives readings too loose to
    /// correct a clock by, and the previous offset is better kept.
    /// </summary>
    public static ClockEstimate? From(IEnumerable<ClockSample> samples, TimeSpan maxRoundTrip)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ClockSample? best = null;
        foreach (var sample in samples)
        {
            if (sample.RoundTrip >= TimeSpan.Zero && sample.RoundTrip <= maxRoundTrip && (best is null || sample.RoundTrip < best.Value.RoundTrip))
            {
                best = sample;
            }
        }
        if (best is not { } b)
        {
            return null;
        }
        var half = b.RoundTrip / 2;
        return new ClockEstimate(b.DatabaseTime - (b.SentAt + half), half);
    }
}
