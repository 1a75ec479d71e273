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

}
