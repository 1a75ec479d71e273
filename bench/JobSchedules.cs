using System.Globalization;

namespace Totallator.Bench;

/// <summary>The schedule each bench job gets: the configuration's, or with a spread, shifted by the job's index.</summary>
public static class JobSchedules
{
    /// <summary>
    /// Job <paramref name="index"/>'s schedule: <paramref name="schedule"/> itself for a spread of 1; else its leading <c>*/P</c>
    /// becomes <c>(index mod spread)/P</c>, so job i fires at second offset i mod spread of each period.
    /// </summary>
    public static string For(string schedule, int spread, int index)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (spread <= 1)
        {
            return schedule;
        }
        if (!schedule.StartsWith("*/", StringComparison.Ordinal))
        {
            throw new BenchException($"A spread needs a schedule starting with */P (seconds), not '{schedule}'.");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{index % spread}{schedule[1..]}");
    }

    /// <summary>
    /// Job <paramref name="index"/>'s last occurrence at or before <paramref name="at"/> (UTC): how --compare dates a Hangfire fire,
    /// whose recurring job does not carry its cron instant. Looks back a minute, then further, so any seconds-level schedule is cheap.
    /// </summary>
    public static DateTimeOffset LatestAtOrBefore(string schedule, int spread, int index, DateTimeOffset at)
    {
        var expression = Cronos.CronExpression.Parse(For(schedule, spread, index), Cronos.CronFormat.IncludeSeconds);
        for (var lookBack = TimeSpan.FromMinutes(1); lookBack <= TimeSpan.FromDays(400); lookBack *= 8)
        {
            DateTimeOffset? latest = null;
            foreach (var occurrence in expression.GetOccurrences(at - lookBack, at, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: true))
            {
                latest = occurrence;
            }
            if (latest is { } found)
            {
                return found;
            }
        }
        throw new BenchException($"Schedule '{schedule}' has no occurrence in the 400 days before {at:O}.");
    }
}
