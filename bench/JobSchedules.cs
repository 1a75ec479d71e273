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

}
