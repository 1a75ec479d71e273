namespace Totallator.Grains.Storage;

/// <summary>
/// Where in time a batch of execution rows lies: the earliest and latest of their occurrences' instants
/// (<c>scheduledFor</c>). History is partitioned by <c>scheduledFor</c> (0015): a statement that names rows by id alone
/// probes every partition's index (35 at the default retention, 7x the time of one table: bench <c>--only history</c>),
/// one that also bounds <c>scheduledFor</c> reads only the partitions inside the span. Every attempt of an occurrence keeps
/// its instant, so the writer of a row always knows it. Unknown (both bounds null) reads every partition, as before.
/// </summary>
public readonly record struct ScheduledSpan(DateTimeOffset? From, DateTimeOffset? To)
{
    /// <summary>No bound: every partition is read.</summary>
    public static ScheduledSpan Unknown => default;

    /// <summary>The span of one row's instant; unknown if it is.</summary>
    public static ScheduledSpan At(DateTimeOffset? instant) => new(instant, instant);

    /// <summary>The span of these instants; unknown if there are none or any is unknown.</summary>
    public static ScheduledSpan Of(IEnumerable<DateTimeOffset?> instants)
    {
        ArgumentNullException.ThrowIfNull(instants);
        DateTimeOffset? from = null, to = null;
        foreach (var instant in instants)
        {
            if (instant is not { } at)
            {
                return Unknown;
            }
            from = from is { } f && f <= at ? f : at;
            to = to is { } t && t >= at ? t : at;
        }
        return new ScheduledSpan(from, to);
    }

    /// <summary>Whether <paramref name="at"/> lies inside the span (always, for an unknown one).</summary>
    public bool Holds(DateTimeOffset at) => (From is not { } f || at >= f) && (To is not { } t || at <= t);
}
