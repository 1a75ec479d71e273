using Totallator.Grains.Scheduling;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>Parsing and next-fire maths of <see cref="CronSchedule"/>; DST cases are in CronScheduleTests.Dst.cs.</summary>
[Trait("Category", "Unit")]
public sealed partial class CronScheduleTests
{
    /// <summary>A fixed "now" for parsing; TryParse only uses it to prove the schedule fires at least once more.</summary>
    private static readonly DateTimeOffset Now = Utc(2026, 1, 15, 12, 0, 0);

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute, int second = 0) =>
        new(year, month, day, hour, minute, second, TimeSpan.Zero);

    private static string? NoVariables(string name) => null;

    /// <summary>Every variable the tests use may be shown (names a test reads start with one of these).</summary>
    private static ScheduleVariables Variables(Func<string, string?>? getVariable) =>
        new(["SECS", "HOUR", "CRON_*"], getVariable ?? NoVariables);

    private static CronSchedule Parse(string expression, string zone = "UTC", Func<string, string?>? getVariable = null)
    {
        var ok = CronSchedule.TryParse(expression, zone, Now, Variables(getVariable), ScheduleOrigin.Definition, out var schedule, out var error);
        Assert.True(ok, $"'{expression}' in {zone} should parse, but TryParse said: {error}");
        Assert.NotNull(schedule);
        Assert.Null(error);
        return schedule;
    }

    private static string ParseError(string expression, string zone = "UTC", Func<string, string?>? getVariable = null)
    {
        var ok = CronSchedule.TryParse(expression, zone, Now, Variables(getVariable), ScheduleOrigin.Definition, out var schedule, out var error);
        Assert.False(ok, $"'{expression}' in {zone} should be rejected, but it parsed to '{schedule?.ResolvedExpression}'.");
        Assert.Null(schedule);
        Assert.NotNull(error);
        return error;
    }

    [Fact]
    public void Between_FiresEveryFiveSeconds_WhenSixFieldExpressionHasSecondsStep()
    {
        var schedule = Parse("*/5 * * * * *");

        var fires = schedule.Between(Utc(2026, 1, 15, 11, 59, 59), Utc(2026, 1, 15, 12, 0, 20)).ToList();

        Assert.Equal(
            [Utc(2026, 1, 15, 12, 0, 0), Utc(2026, 1, 15, 12, 0, 5), Utc(2026, 1, 15, 12, 0, 10), Utc(2026, 1, 15, 12, 0, 15), Utc(2026, 1, 15, 12, 0, 20)],
            fires);
    }

    [Fact]
    public void NextN_FiresOnWholeMinutes_WhenFiveFieldExpression()
    {
        var schedule = Parse("* * * * *");

        var fires = schedule.NextN(Utc(2026, 1, 15, 12, 0, 30), 3);

        // Five fields have no seconds field: the first minute boundary after 12:00:30 is 12:01:00, not 12:00:31.
        Assert.Equal([Utc(2026, 1, 15, 12, 1, 0), Utc(2026, 1, 15, 12, 2, 0), Utc(2026, 1, 15, 12, 3, 0)], fires);
    }

    [Fact]
    public void Next_FiresAtTopOfNextHour_WhenHourlyMacro()
    {
        var schedule = Parse("@hourly");

        Assert.Equal(Utc(2026, 1, 15, 13, 0, 0), schedule.Next(Utc(2026, 1, 15, 12, 34, 56)));
    }

    [Theory]
    [InlineData("@every_second", "2026-01-15T12:00:01Z")]
    [InlineData("@every_minute", "2026-01-15T12:01:00Z")]
    [InlineData("@daily", "2026-01-16T00:00:00Z")]
    [InlineData("@midnight", "2026-01-16T00:00:00Z")]
    [InlineData("@weekly", "2026-01-18T00:00:00Z")] // Sunday
    [InlineData("@monthly", "2026-02-01T00:00:00Z")]
    [InlineData("@yearly", "2027-01-01T00:00:00Z")]
    [InlineData("@annually", "2027-01-01T00:00:00Z")]
    public void Next_FollowsMacro_WhenExpressionIsAMacro(string macro, string expectedUtc)
    {
        Assert.Equal(Instant(expectedUtc), Parse(macro).Next(Now));
    }

    [Fact]
    public void Next_FiresAtLocalMidnight_WhenDailyMacroInBerlin()
    {
        var schedule = Parse("@daily", "Europe/Berlin");

        // 2026-01-16 00:00 CET (UTC+1) is 2026-01-15 23:00Z.
        Assert.Equal(Utc(2026, 1, 15, 23, 0, 0), schedule.Next(Now));
    }

    [Fact]
    public void Next_IsStrictlyAfter_WhenGivenInstantIsItselfAnOccurrence()
    {
        var schedule = Parse("0 * * * *");

        Assert.Equal(Utc(2026, 1, 15, 13, 0, 0), schedule.Next(Utc(2026, 1, 15, 12, 0, 0)));
    }

    [Fact]
    public void Between_ExcludesAfterAndIncludesUpTo_WhenBothAreOccurrences()
    {
        var schedule = Parse("0 * * * *");

        var fires = schedule.Between(Utc(2026, 1, 15, 12, 0, 0), Utc(2026, 1, 15, 14, 0, 0)).ToList();

        Assert.Equal([Utc(2026, 1, 15, 13, 0, 0), Utc(2026, 1, 15, 14, 0, 0)], fires);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3600)]
    public void Between_IsEmpty_WhenUpToIsNotAfterAfter(int upToOffsetSeconds)
    {
        var schedule = Parse("* * * * * *");

        Assert.Empty(schedule.Between(Now, Now.AddSeconds(upToOffsetSeconds)));
    }

    [Fact]
    public void NextN_IsEmpty_WhenCountIsZero()
    {
        Assert.Empty(Parse("* * * * *").NextN(Now, 0));
    }

    [Fact]
    public void NextN_ReturnsConsecutiveOccurrences_WhenCountIsPositive()
    {
        var schedule = Parse("0 9 * * 1-5");

        // Now is Thursday 2026-01-15 12:00Z, past that day's 09:00: next are Fri 16th, then Mon 19th and Tue 20th (weekend skipped).
        var fires = schedule.NextN(Now, 3);

        Assert.Equal([Utc(2026, 1, 16, 9, 0, 0), Utc(2026, 1, 19, 9, 0, 0), Utc(2026, 1, 20, 9, 0, 0)], fires);
    }

    [Theory]
    [InlineData("* * * *", 4)]
    [InlineData("* * * * * * *", 7)]
    [InlineData("garbage", 1)]
    [InlineData("@hourly now", 2)]
    public void TryParse_FailsNamingFieldCount_WhenFieldCountIsWrong(string expression, int fields)
    {
        var error = ParseError(expression);

        Assert.Contains($"has {fields} fields", error, StringComparison.Ordinal);
        Assert.Contains("5 (minute hour day month weekday) or 6", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_AcceptsTabSeparatedFields_WhenCrontabWouldAcceptThem()
    {
        Assert.Equal(Utc(2026, 1, 16, 9, 0, 0), Parse("0\t9\t*\t*\t*").Next(Now));
    }

    [Theory]
    [InlineData("a b c d e")]
    [InlineData("61 * * * *")]
    [InlineData("* * * 13 *")]
    [InlineData("@fortnightly")]
    public void TryParse_FailsAsInvalidExpression_WhenFieldsAreGarbage(string expression)
    {
        var error = ParseError(expression);

        Assert.Contains($"'{expression}' is not a valid cron expression", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void TryParse_FailsAsEmpty_WhenScheduleIsBlank(string expression)
    {
        Assert.Equal("The schedule is empty.", ParseError(expression));
    }

    [Fact]
    public void TryParse_FailsNamingTheZone_WhenTimeZoneIsUnknown()
    {
        var error = ParseError("0 9 * * *", "Mars/Olympus_Mons");

        Assert.Contains("Unknown time zone 'Mars/Olympus_Mons'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Fails_WhenTimeZoneIsEmpty()
    {
        Assert.Contains("Unknown time zone ''", ParseError("0 9 * * *", ""), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0 0 30 2 *")] // 30 February
    [InlineData("0 0 0 30 2 *")] // the same with seconds
    [InlineData("0 0 31 4 *")] // 31 April
    [InlineData("0 0 31 2,4,6,9,11 *")] // 31st of only 30-or-fewer-day months
    public void TryParse_FailsSayingNeverFires_WhenDayDoesNotExistInMonth(string expression)
    {
        var error = ParseError(expression);

        Assert.Contains($"'{expression}' never fires after 2026-01-15 12:00:00Z", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Succeeds_WhenDayExistsOnlyInLeapYears()
    {
        // 29 February is rare, not impossible: the next one after 2026-01-15 is in 2028.
        Assert.Equal(Utc(2028, 2, 29, 0, 0, 0), Parse("0 0 29 2 *").Next(Now));
    }

    [Fact]
    public void TryParse_StatesNowInUtc_WhenNowHasAnOffset()
    {
        var nowInBerlin = new DateTimeOffset(2026, 1, 15, 13, 0, 0, TimeSpan.FromHours(1));

        CronSchedule.TryParse("0 0 30 2 *", "UTC", nowInBerlin, Variables(null), ScheduleOrigin.Definition, out _, out var error);

        // The message suffixes the instant with 'Z', so it must print 12:00:00, the UTC time of 13:00+01:00.
        Assert.Contains("never fires after 2026-01-15 12:00:00Z", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Next_FiresAt0800ZInWinterAnd0700ZInSummer_WhenNineOClockInBerlin()
    {
        var schedule = Parse("0 9 * * *", "Europe/Berlin");

        Assert.Equal("Europe/Berlin", schedule.TimeZone.Id);
        // CET is UTC+1 in January, CEST is UTC+2 in July.
        Assert.Equal(Utc(2026, 1, 16, 8, 0, 0), schedule.Next(Utc(2026, 1, 16, 0, 0, 0)));
        Assert.Equal(Utc(2026, 7, 16, 7, 0, 0), schedule.Next(Utc(2026, 7, 16, 0, 0, 0)));
    }

    [Fact]
    public void TryParse_UsesDefault_WhenVariableIsUnset()
    {
        var schedule = Parse("${SECS:-*/5} * * * * *");

        Assert.Equal("${SECS:-*/5} * * * * *", schedule.Expression);
        Assert.Equal("*/5 * * * * *", schedule.ResolvedExpression);
        Assert.Equal([Utc(2026, 1, 15, 12, 0, 5), Utc(2026, 1, 15, 12, 0, 10)], schedule.NextN(Now, 2));
    }

    [Fact]
    public void TryParse_UsesVariable_WhenVariableIsSet()
    {
        var variables = new Dictionary<string, string?> { ["SECS"] = "30" };

        var schedule = Parse("${SECS:-*/5} * * * * *", getVariable: variables.GetValueOrDefault);

        Assert.Equal("30 * * * * *", schedule.ResolvedExpression);
        Assert.Equal([Utc(2026, 1, 15, 12, 0, 30), Utc(2026, 1, 15, 12, 1, 30)], schedule.NextN(Now, 2));
    }

    [Fact]
    public void TryParse_FailsNamingVariable_WhenVariableIsUnsetWithoutDefault()
    {
        var error = ParseError("0 ${HOUR} * * *");

        Assert.Contains("'HOUR' is not set", error, StringComparison.Ordinal);
    }
}
