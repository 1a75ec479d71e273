using Cronos;

namespace Totallator.Bench.Measurements;

/// <summary>
/// The measured span [From, To) and the occurrence instants of the schedule inside it: every job should have exactly one
/// succeeded row for each of its own (with a spread, job i's instants are those at epoch seconds ≡ i mod Spread, mod SpreadPeriod).
/// </summary>
public sealed record MeasurementWindow(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<DateTimeOffset> Instants, int Spread = 1, int SpreadPeriod = 1)
{
    public double Seconds => (To - From).TotalSeconds;

    /// <summary>A window of <paramref name="length"/> starting at the schedule's first occurrence at or after <paramref name="notBefore"/>.</summary>
    public static MeasurementWindow Create(string schedule, int spread, DateTimeOffset notBefore, TimeSpan length)
    {
        var expression = Parse(schedule);
        var from = expression.GetNextOccurrence(notBefore.ToUniversalTime(), TimeZoneInfo.Utc, inclusive: true)
            ?? throw new BenchException($"Schedule '{schedule}' never fires after {notBefore:O}.");
        var to = from + length;
        if (spread <= 1)
        {
            return new MeasurementWindow(from, to, expression.GetOccurrences(from, to, TimeZoneInfo.Utc, fromInclusive: true, toInclusive: false).ToList());
        }
        var instants = Enumerable.Range(0, spread).SelectMany(k => Occurrences(JobSchedules.For(schedule, spread, k), from, to)).Order().ToList();
        return new MeasurementWindow(from, to, instants, spread, (int)Period(schedule, from).TotalSeconds);
    }

    /// <summary>The occurrence instants of <paramref name="schedule"/> in [from, to).</summary>
    public static IReadOnlyList<DateTimeOffset> Occurrences(string schedule, DateTimeOffset from, DateTimeOffset to) =>
        Parse(schedule).GetOccurrences(from.ToUniversalTime(), to.ToUniversalTime(), TimeZoneInfo.Utc, fromInclusive: true, toInclusive: false).ToList();

    /// <summary>The schedule's period near <paramref name="at"/> (the gap between two occurrences).</summary>
    public static TimeSpan Period(string schedule, DateTimeOffset at)
    {
        var expression = Parse(schedule);
        var first = expression.GetNextOccurrence(at.ToUniversalTime(), TimeZoneInfo.Utc, inclusive: true)!.Value;
        return expression.GetNextOccurrence(first, TimeZoneInfo.Utc, inclusive: false)!.Value - first;
    }

    private static CronExpression Parse(string schedule) =>
        CronExpression.Parse(schedule, schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
}
