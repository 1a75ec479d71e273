using Totallator.Grains.Analytics;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Tests.Unit.Analytics;

/// <summary><see cref="TrendViews"/> and <see cref="TrendPeriods"/>: the periods' buckets, the gaps filled, the totals.</summary>
[Trait("Category", "Unit")]
public sealed class TrendViewsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 15, 42, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("24h", TrendPeriod.Hours24)]
    [InlineData("7d", TrendPeriod.Days7)]
    [InlineData("30D", TrendPeriod.Days30)]
    [InlineData("1y", TrendPeriod.Year)]
    public void Periods_ParseFromTheirNames(string text, TrendPeriod expected)
    {
        Assert.True(TrendPeriods.TryParse(text, out var period));
        Assert.Equal(expected, period);
        Assert.Equal(text.ToLowerInvariant(), period.Value.ToText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("2d")]
    [InlineData("24")]
    [InlineData(null)]
    public void OtherPeriods_AreRefused(string? text) => Assert.False(TrendPeriods.TryParse(text, out _));

    [Fact]
    public void TheDayView_Has24HourlyBuckets_EndingWithTheCurrentHour()
    {
        var trend = TrendViews.Trend("j", TrendPeriod.Hours24, Now, [], null);

        Assert.Equal(TrendBucketSize.Hour, trend.BucketSize);
        Assert.Equal(24, trend.Buckets.Count);
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 16, 0, 0, TimeSpan.Zero), trend.From);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 16, 0, 0, TimeSpan.Zero), trend.To);
        Assert.All(trend.Buckets, b => Assert.Equal(0, b.Runs));
        Assert.Null(trend.Totals.SuccessRate);
    }

    [Fact]
    public void TheYearView_Has365DailyBuckets_WithTheRowsInTheirPlaces()
    {
        var today = new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);
        TrendBucket[] rows =
        [
            new() { Start = today.AddDays(-364), Runs = 4, Succeeded = 3, Failed = 1, SuccessRate = 0.75, DurationMaxMs = 900, DurationP95Ms = 800, MemoryPeakMb = 64 },
            new() { Start = today, Runs = 3, Succeeded = 1, TimedOut = 1, Missed = 1, SuccessRate = 0.5, DurationMaxMs = 1200, DurationP95Ms = 700, LatenessP99Ms = 40, CpuPeakPercent = 90 },
        ];

        var trend = TrendViews.Trend("j", TrendPeriod.Year, Now, rows, Now);

        Assert.Equal(365, trend.Buckets.Count);
        Assert.Same(rows[0], trend.Buckets[0]);
        Assert.Same(rows[1], trend.Buckets[^1]);
        var t = trend.Totals;
        Assert.Equal((7, 4, 1, 1, 1), (t.Runs, t.Succeeded, t.Failed, t.TimedOut, t.Missed));
        // 4 of the 6 attempts that ran; the missed one did not run.
        Assert.Equal(4 / 6.0, t.SuccessRate!.Value, 9);
        Assert.Equal((1200L, 800.0, 40.0, 64.0, 90.0), (t.DurationMaxMs!.Value, t.WorstDurationP95Ms!.Value, t.WorstLatenessP99Ms!.Value, t.MemoryPeakMb!.Value, t.CpuPeakPercent!.Value));
    }

    [Fact]
    public void FailureRates_ListEveryJob_ThoseWithoutRunsWithNoRate()
    {
        var a = Guid.NewGuid();
        var b = Guid.NewGuid();

        var rates = TrendViews.FailureRates(TrendPeriod.Days7, Now, [(b, "b"), (a, "a")], new Dictionary<Guid, RollupCounts> { [a] = new(10, 8, 2) }, null);

        Assert.Equal(["a", "b"], rates.Jobs.Select(j => j.Slug));
        Assert.Equal(0.25, rates.Jobs[0].FailureRate);
        Assert.Equal((0, null), (rates.Jobs[1].Runs, rates.Jobs[1].FailureRate));
        Assert.Equal(TimeSpan.FromDays(7), rates.To - rates.From);
    }
}
