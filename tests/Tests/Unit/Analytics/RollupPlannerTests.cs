using Totallator.Grains.Analytics;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Tests.Unit.Analytics;

/// <summary><see cref="RollupPlanner"/>: which buckets a pass recomputes, and which it must leave alone.</summary>
[Trait("Category", "Unit")]
public sealed class RollupPlannerTests
{
    private static readonly RollupPolicy Policy = new(KeepDays: 400, HourlyKeepDays: 14, LateEndGrace: TimeSpan.FromMinutes(10));
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 15, 42, 10, TimeSpan.Zero);
    private static readonly DateTimeOffset LongAgo = Now.AddDays(-30);

    private static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2026, 12, day, hour, minute, 0, TimeSpan.Zero);

    private static List<RollupWindow> Of(RollupPlan plan, TrendBucketSize size) => plan.Windows.Where(w => w.Size == size).ToList();

    [Fact]
    public void FloorAndCeiling_AreUtcHoursAndDays_WhateverTheOffset()
    {
        var berlin = new DateTimeOffset(2026, 12, 5, 0, 30, 0, TimeSpan.FromHours(1)); // 23:30 UTC on the 4th

        Assert.Equal(Utc(4, 23), RollupPlanner.Floor(berlin, TrendBucketSize.Hour));
        Assert.Equal(Utc(4, 0), RollupPlanner.Floor(berlin, TrendBucketSize.Day));
        Assert.Equal(Utc(5, 0), RollupPlanner.Ceiling(berlin, TrendBucketSize.Day));
        Assert.Equal(Utc(4, 0), RollupPlanner.Ceiling(Utc(4, 0), TrendBucketSize.Day));
    }

    [Fact]
    public void ASteadyPass_RecomputesTheHoursAndTheDayTouchedSinceTheLastPass_WithTheGrace()
    {
        var plan = RollupPlanner.Plan(Now, lastPassAt: Now.AddMinutes(-5), LongAgo, LongAgo, Policy);

        // Last pass 15:37, minus 10 min grace = 15:27: the 15:00 hour to the end of the current one; today only.
        Assert.Equal([new RollupWindow(TrendBucketSize.Hour, Utc(4, 15), Utc(4, 16))], Of(plan, TrendBucketSize.Hour));
        Assert.Equal([new RollupWindow(TrendBucketSize.Day, Utc(4, 0), Utc(5, 0))], Of(plan, TrendBucketSize.Day));
    }

    [Fact]
    public void TheGrace_ReachesBackIntoThePreviousHourAndDay()
    {
        var now = Utc(5, 0, 3);
        var plan = RollupPlanner.Plan(now, lastPassAt: now.AddMinutes(-5), LongAgo, LongAgo, Policy);

        // 23:58 − 10 min = 23:48 yesterday: yesterday's last hour and yesterday are recomputed with today's.
        Assert.Equal([new RollupWindow(TrendBucketSize.Hour, Utc(4, 23), Utc(5, 1))], Of(plan, TrendBucketSize.Hour));
        Assert.Equal([new RollupWindow(TrendBucketSize.Day, Utc(4, 0), Utc(5, 0)), new RollupWindow(TrendBucketSize.Day, Utc(5, 0), Utc(6, 0))],
            Of(plan, TrendBucketSize.Day));
    }

    [Fact]
    public void TheFirstPass_BackFillsEveryKeptBucketThatIsWhole_InDayLongWindows()
    {
        var plan = RollupPlanner.Plan(Now, lastPassAt: null, cleanedBefore: Utc(1, 9, 30), firstEnd: Utc(1, 9, 45), Policy);

        // From the first whole bucket after the cleanup's cutoff: Dec 2 for days (Dec 1 lost rows to the cleanup), 10:00 on
        // Dec 1 for hours; up to the end of the current bucket.
        var days = Of(plan, TrendBucketSize.Day);
        Assert.Equal([Utc(2, 0), Utc(3, 0), Utc(4, 0)], days.Select(w => w.From));
        Assert.All(days, w => Assert.Equal(TimeSpan.FromDays(1), w.To - w.From));
        var hours = Of(plan, TrendBucketSize.Hour);
        Assert.Equal(Utc(1, 10), hours[0].From);
        Assert.Equal(Utc(4, 16), hours[^1].To);
        Assert.All(hours.Zip(hours.Skip(1)), p => Assert.Equal(p.First.To, p.Second.From));
    }

    [Fact]
    public void ABucketTheCleanupMayHaveCutInto_IsNeverRecomputed_EvenAfterALongPause()
    {
        // The cluster was down 40 days; the cleanup has since deleted everything that ended before Dec 3 08:15.
        var plan = RollupPlanner.Plan(Now, lastPassAt: Now.AddDays(-40), cleanedBefore: Utc(3, 8, 15), firstEnd: Utc(3, 8, 20), Policy);

        Assert.Equal(Utc(4, 0), Of(plan, TrendBucketSize.Day)[0].From);
        Assert.Equal(Utc(3, 9), Of(plan, TrendBucketSize.Hour)[0].From);
    }

    [Fact]
    public void AHistoryNeverCleaned_IsWholeFromItsFirstEnd_SoTheFirstPassBackFillsEveryKeptBucket()
    {
        var plan = RollupPlanner.Plan(Now, lastPassAt: null, cleanedBefore: null, firstEnd: Now.AddDays(-100), new RollupPolicy(3, 2, TimeSpan.Zero));

        Assert.Equal([Utc(2, 0), Utc(3, 0), Utc(4, 0)], Of(plan, TrendBucketSize.Day).Select(w => w.From));
        Assert.Equal(plan.KeepHoursFrom, Of(plan, TrendBucketSize.Hour)[0].From);
    }

    [Fact]
    public void ACleanupUpToNow_LeavesNothingToRecompute()
    {
        var plan = RollupPlanner.Plan(Now, lastPassAt: Now.AddMinutes(-5), cleanedBefore: Now.AddMinutes(1), firstEnd: Now, Policy);

        Assert.Empty(plan.Windows);
    }

    [Fact]
    public void ANewClustersFirstPass_StartsAtItsFirstEnd_AndOneWithoutHistoryDoesNothing()
    {
        var plan = RollupPlanner.Plan(Now, lastPassAt: null, cleanedBefore: null, firstEnd: Utc(4, 9, 30), Policy);

        Assert.Equal([new RollupWindow(TrendBucketSize.Day, Utc(4, 0), Utc(5, 0)), new RollupWindow(TrendBucketSize.Hour, Utc(4, 9), Utc(4, 16))], plan.Windows);
        Assert.Empty(RollupPlanner.Plan(Now, lastPassAt: null, cleanedBefore: null, firstEnd: null, Policy).Windows);
    }

    [Fact]
    public void APass_IsDueAtFirst_ThenOnlyOnceTheSpacingHasPassed()
    {
        var spaced = Policy with { MinimumSpacing = TimeSpan.FromMinutes(2.5) };

        Assert.True(RollupPlanner.IsDue(Now, null, spaced));
        Assert.False(RollupPlanner.IsDue(Now, Now.AddMinutes(-1), spaced));
        Assert.True(RollupPlanner.IsDue(Now, Now.AddMinutes(-2.5), spaced));
        Assert.True(RollupPlanner.IsDue(Now, Now.AddSeconds(-1), Policy));
    }

    [Fact]
    public void TheKeeps_CountWholeDaysBackFromNow()
    {
        var plan = RollupPlanner.Plan(Now, Now.AddMinutes(-5), LongAgo, LongAgo, Policy);

        Assert.Equal(Utc(4, 0).AddDays(-399), plan.KeepDaysFrom);
        Assert.Equal(Utc(4, 15).AddDays(-14), plan.KeepHoursFrom);
    }

    [Fact]
    public void ABackFill_StopsAtTheKeeps()
    {
        var plan = RollupPlanner.Plan(Now, lastPassAt: null, cleanedBefore: Now.AddDays(-100), firstEnd: Now.AddDays(-100), new RollupPolicy(7, 2, TimeSpan.Zero));

        Assert.Equal(7, Of(plan, TrendBucketSize.Day).Count);
        Assert.Equal(plan.KeepDaysFrom, Of(plan, TrendBucketSize.Day)[0].From);
        Assert.Equal(plan.KeepHoursFrom, Of(plan, TrendBucketSize.Hour)[0].From);
        Assert.Equal(49, Of(plan, TrendBucketSize.Hour).Sum(w => (w.To - w.From).TotalHours));
    }
}
