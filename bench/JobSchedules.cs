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
        // "*/P …" becomes "k/P …"; "0 …" (seconds 0 of a slower schedule) becomes "k …": second k instead.
        if (!schedule.StartsWith("*/", StringComparison.Ordinal) && !schedule.StartsWith("0 ", StringComparison.Ordinal))
        {
            throw new BenchException($"A spread needs a schedule starting with */P or 0 (seconds), not '{schedule}'.");
        }
        return string.Create(CultureInfo.InvariantCulture, $"{index % spread}{schedule[1..]}");
    }

    /// <summary>
    /// Hourly at the first whole minute at or after <paramref name="notBefore"/>, as <c>0 M * * * *</c>: with a spread of 60 job i
    /// fires at second i mod 60 of that minute.
    /// </summary>
    public static string HourlyAt(DateTimeOffset notBefore)
    {
        var utc = notBefore.ToUniversalTime();
        var minute = utc.Second == 0 && utc.Millisecond == 0 ? utc : utc.AddSeconds(60 - utc.Second).AddMilliseconds(-utc.Millisecond);
        return string.Create(CultureInfo.InvariantCulture, $"0 {minute.Minute} * * * *");
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
