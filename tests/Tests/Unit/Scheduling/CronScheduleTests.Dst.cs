using System.Globalization;
using Totallator.Grains.Scheduling;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>
/// Daylight-saving transitions of 2026. Each test takes one whole local day (local midnight to the next local midnight) and first
/// checks that the day really is 23 or 25 hours long, so a wrong transition date fails loudly instead of passing vacuously.
/// </summary>
public sealed partial class CronScheduleTests
{
    private static DateTimeOffset Instant(string utc) =>
        DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>All occurrences in the local day [midnight, next midnight) of <paramref name="date"/> in the schedule's zone.</summary>
    private static List<DateTimeOffset> OccurrencesOnLocalDay(CronSchedule schedule, string date, int expectedDayHours)
    {
        var day = DateTime.ParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var start = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day, schedule.TimeZone));
        var end = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(day.AddDays(1), schedule.TimeZone));
        Assert.True(end - start == TimeSpan.FromHours(expectedDayHours),
            $"{date} in {schedule.TimeZone.Id} should be a {expectedDayHours}-hour transition day, but it lasts {(end - start).TotalHours} hours: wrong transition date or zone data.");
        // Between is (after, upTo]; one tick back on both ends makes it [start, end).
        return [.. schedule.Between(start.AddTicks(-1), end.AddTicks(-1))];
    }

    [Theory]
    // Spring forward: 02:30 falls in the gap and runs once at the first instant after it, 03:00 in the new offset.
    [InlineData("America/New_York", "30 2 * * *", "2026-03-08", 23, "2026-03-08T07:00:00Z")] // 02:00 EST -> 03:00 EDT; 03:00 EDT = 07:00Z
    [InlineData("Europe/Berlin", "30 2 * * *", "2026-03-29", 23, "2026-03-29T01:00:00Z")] // 02:00 CET -> 03:00 CEST; 03:00 CEST = 01:00Z
    [InlineData("Australia/Sydney", "30 2 * * *", "2026-10-04", 23, "2026-10-03T16:00:00Z")] // 02:00 AEST -> 03:00 AEDT; 03:00 AEDT = 16:00Z the day before
    [InlineData("Europe/London", "30 1 * * *", "2026-03-29", 23, "2026-03-29T01:00:00Z")] // London's gap is 01:00-02:00 GMT; 02:00 BST = 01:00Z
    // Fall back: where the time occurs twice, it runs once, at its first instance (still in summer time).
    [InlineData("America/New_York", "30 2 * * *", "2026-11-01", 25, "2026-11-01T07:30:00Z")] // US repeats 01:00-02:00, so 02:30 is unambiguous: 02:30 EST
    [InlineData("America/New_York", "30 1 * * *", "2026-11-01", 25, "2026-11-01T05:30:00Z")] // 01:30 occurs twice; first is 01:30 EDT = 05:30Z
    [InlineData("Europe/Berlin", "30 2 * * *", "2026-10-25", 25, "2026-10-25T00:30:00Z")] // 02:30 CEST = 00:30Z (02:30 CET, 01:30Z, is skipped)
    [InlineData("Australia/Sydney", "30 2 * * *", "2026-04-05", 25, "2026-04-04T15:30:00Z")] // 02:30 AEDT = 15:30Z the day before
    [InlineData("Europe/London", "30 1 * * *", "2026-10-25", 25, "2026-10-25T00:30:00Z")] // 01:30 BST = 00:30Z (01:30 GMT is skipped)
    public void Between_FiresExactlyOnce_WhenDailyJobTimeIsInDstGapOrOverlap(string zone, string expression, string date, int dayHours, string expectedUtc)
    {
        var schedule = Parse(expression, zone);

        var fires = OccurrencesOnLocalDay(schedule, date, dayHours);

        Assert.True(fires.Count == 1,
            $"'{expression}' in {zone} on {date} should run exactly once, but ran {fires.Count} times: {string.Join(", ", fires.Select(f => f.ToString("u", CultureInfo.InvariantCulture)))}.");
        Assert.Equal(Instant(expectedUtc), fires[0]);
    }

    [Theory]
    // Every UTC hour of the local day fires: on the 25-hour day 01:00 comes twice (EDT, then EST), on the 23-hour day 02:00 never
    // comes. An hourly job is meant to run once per elapsed hour, so this (Cronos treats a '*' hour as an interval) is right.
    [InlineData("America/New_York", "2026-11-01", 25, "2026-11-01T04:00:00Z")]
    [InlineData("America/New_York", "2026-03-08", 23, "2026-03-08T05:00:00Z")]
    [InlineData("Europe/Berlin", "2026-10-25", 25, "2026-10-24T22:00:00Z")]
    [InlineData("Australia/Sydney", "2026-10-04", 23, "2026-10-03T14:00:00Z")]
    public void Between_FiresOncePerElapsedHour_WhenHourlyJobOnTransitionDay(string zone, string date, int dayHours, string firstUtc)
    {
        var schedule = Parse("0 * * * *", zone);

        var fires = OccurrencesOnLocalDay(schedule, date, dayHours);

        var expected = Enumerable.Range(0, dayHours).Select(h => Instant(firstUtc).AddHours(h)).ToList();
        Assert.True(fires.Count == dayHours,
            $"An hourly job in {zone} on {date} ({dayHours} h long) should fire {dayHours} times, but fired {fires.Count} times.");
        Assert.Equal(expected, fires);
    }

    [Fact]
    public void Between_FiresInBothInstances_WhenMinuteIntervalInFallBackOverlap()
    {
        // The class remarks promise that an interval in the minutes field runs in both instances of the repeated hour.
        var schedule = Parse("*/30 1 * * *", "America/New_York");

        var fires = OccurrencesOnLocalDay(schedule, "2026-11-01", 25);

        Assert.Equal(
            [Instant("2026-11-01T05:00:00Z"), Instant("2026-11-01T05:30:00Z"), Instant("2026-11-01T06:00:00Z"), Instant("2026-11-01T06:30:00Z")],
            fires);
    }
}
