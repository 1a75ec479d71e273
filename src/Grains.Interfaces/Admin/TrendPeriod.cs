using System.Diagnostics.CodeAnalysis;

namespace Totallator.Grains.Interfaces.Admin;

/// <summary>
/// A period of a job's trend or of the failure rates, ending now: the last 24 hours (hourly buckets), or the last 7, 30 or 365
/// UTC days (daily buckets, today's included).
/// </summary>
public enum TrendPeriod
{
    Hours24,
    Days7,
    Days30,
    Year,
}

/// <summary>The bucket size of a trend: an hour or a UTC day.</summary>
public enum TrendBucketSize
{
    Hour,
    Day,
}

/// <summary>The periods' names in the API (<c>24h</c>, <c>7d</c>, <c>30d</c>, <c>1y</c>) and their bucket sizes.</summary>
public static class TrendPeriods
{
    /// <summary>The accepted names, for messages.</summary>
    public const string Names = "24h, 7d, 30d, 1y";

    public static string ToText(this TrendPeriod period) => period switch
    {
        TrendPeriod.Hours24 => "24h",
        TrendPeriod.Days7 => "7d",
        TrendPeriod.Days30 => "30d",
        TrendPeriod.Year => "1y",
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
    };

    public static bool TryParse(string? text, [NotNullWhen(true)] out TrendPeriod? period)
    {
        period = text?.Trim().ToLowerInvariant() switch
        {
            "24h" => TrendPeriod.Hours24,
            "7d" => TrendPeriod.Days7,
            "30d" => TrendPeriod.Days30,
            "1y" or "365d" => TrendPeriod.Year,
            _ => null,
        };
        return period is not null;
    }

    /// <summary>Hourly buckets for the 24-hour view (24 points), daily ones for the others.</summary>
    public static TrendBucketSize BucketSize(this TrendPeriod period) => period == TrendPeriod.Hours24 ? TrendBucketSize.Hour : TrendBucketSize.Day;

    /// <summary>How many buckets the period holds: 24 hours, or 7, 30, 365 days.</summary>
    public static int BucketCount(this TrendPeriod period) => period switch
    {
        TrendPeriod.Hours24 => 24,
        TrendPeriod.Days7 => 7,
        TrendPeriod.Days30 => 30,
        TrendPeriod.Year => 365,
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, null),
    };
}
