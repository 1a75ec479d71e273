using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>
/// <see cref="MisfirePlanner.Plan"/> is pure, so "now" is a plain fixed instant rather than a FakeTimeProvider. The main schedule
/// fires every 10 s and the last handled occurrence is 12:00:00Z, so 60 s of downtime leaves 12:00:10 … 12:01:00 due (six).
/// </summary>
[Trait("Category", "Unit")]
public sealed class MisfirePlannerTests
{
    private static readonly DateTimeOffset LastHandled = At(0);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(5);
    private const int RunAllCap = 3;
    private const int MaxRecorded = 1000;

    private static readonly CronSchedule EveryTenSeconds = Parse("*/10 * * * * *");
    private static readonly CronSchedule EverySecond = Parse("* * * * * *");

    /// <summary>12:00:00Z plus <paramref name="seconds"/>.</summary>
    private static DateTimeOffset At(int seconds) => new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero).AddSeconds(seconds);

    private static CronSchedule Parse(string expression)
    {
        Assert.True(CronSchedule.TryParse(expression, "UTC", At(0), new ScheduleVariables([], _ => null), ScheduleOrigin.Definition, out var schedule, out var error), error);
        return schedule!;
    }

    private static MisfirePlan Plan(DateTimeOffset now, MisfirePolicy policy, TimeSpan? threshold = null, int maxRecorded = MaxRecorded,
        CronSchedule? schedule = null) =>
        MisfirePlanner.Plan(schedule ?? EveryTenSeconds, LastHandled, now, policy, RunAllCap, threshold ?? Threshold, maxRecorded);

    private static PlannedOccurrence Miss(int seconds) => new(At(seconds), PlannedAction.Miss);
    private static PlannedOccurrence CatchUp(int seconds) => new(At(seconds), PlannedAction.CatchUp);
    private static PlannedOccurrence Run(int seconds) => new(At(seconds), PlannedAction.Run);

    private static void AssertNothingUnrecorded(MisfirePlan plan)
    {
        Assert.True(plan.UnrecordedMissed == 0, $"Every occurrence fits under the recording cap, yet {plan.UnrecordedMissed} were summarised.");
        Assert.Null(plan.UnrecordedFrom);
        Assert.Null(plan.UnrecordedTo);
    }

    [Theory]
    [InlineData(MisfirePolicy.RunOnce)]
    [InlineData(MisfirePolicy.Skip)]
    [InlineData(MisfirePolicy.RunAll)]
    public void Plan_ReturnsEmpty_WhenNothingIsDue(MisfirePolicy policy)
    {
        var plan = Plan(At(9), policy);

        Assert.Same(MisfirePlan.Empty, plan);
        Assert.Empty(plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_ReturnsEmpty_WhenNowIsLastHandled()
    {
        // (lastHandled, now] excludes lastHandled itself, which is an occurrence that was already handled.
        Assert.Same(MisfirePlan.Empty, Plan(LastHandled, MisfirePolicy.RunAll));
    }

    [Theory]
    [InlineData(MisfirePolicy.RunOnce)]
    [InlineData(MisfirePolicy.Skip)]
    [InlineData(MisfirePolicy.RunAll)]
    public void Plan_RunsTheOccurrence_WhenOneIsDueAndOnTime(MisfirePolicy policy)
    {
        var plan = Plan(At(12), policy);

        Assert.Equal([Run(10)], plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_RunsTheOccurrence_WhenExactlyThresholdLate()
    {
        // The threshold is inclusive: 5 s late with a 5 s threshold is still on time.
        Assert.Equal([Run(10)], Plan(At(15), MisfirePolicy.Skip).Occurrences);
    }

    [Fact]
    public void Plan_MissesOlderAndCatchesUpLatest_WhenRunOnceAndLatestIsPastThreshold()
    {
        // Latest due is 12:01:00, planned at 12:01:09: 9 s late against a 5 s threshold.
        var plan = Plan(At(69), MisfirePolicy.RunOnce);

        Assert.Equal([Miss(10), Miss(20), Miss(30), Miss(40), Miss(50), CatchUp(60)], plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_MissesOlderAndRunsLatest_WhenRunOnceAndLatestIsWithinThreshold()
    {
        // Same 9 s, but now a 10 s threshold: the latest is on time.
        var plan = Plan(At(69), MisfirePolicy.RunOnce, threshold: TimeSpan.FromSeconds(10));

        Assert.Equal([Miss(10), Miss(20), Miss(30), Miss(40), Miss(50), Run(60)], plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_MissesAll_WhenSkipAndLatestIsPastThreshold()
    {
        var plan = Plan(At(69), MisfirePolicy.Skip);

        Assert.Equal([Miss(10), Miss(20), Miss(30), Miss(40), Miss(50), Miss(60)], plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_MissesOlderAndRunsLatest_WhenSkipAndLatestIsWithinThreshold()
    {
        var plan = Plan(At(62), MisfirePolicy.Skip);

        Assert.Equal([Miss(10), Miss(20), Miss(30), Miss(40), Miss(50), Run(60)], plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_MissesOldestAndCatchesUpNewestCap_WhenRunAllAndLatestIsPastThreshold()
    {
        var plan = Plan(At(69), MisfirePolicy.RunAll);

        Assert.Equal([Miss(10), Miss(20), Miss(30), CatchUp(40), CatchUp(50), CatchUp(60)], plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_RunsLatestOfCap_WhenRunAllAndLatestIsWithinThreshold()
    {
        var plan = Plan(At(62), MisfirePolicy.RunAll);

        Assert.Equal([Miss(10), Miss(20), Miss(30), CatchUp(40), CatchUp(50), Run(60)], plan.Occurrences);
        AssertNothingUnrecorded(plan);
    }

    [Fact]
    public void Plan_CatchesUpAll_WhenRunAllAndFewerDueThanCap()
    {
        var plan = Plan(At(39), MisfirePolicy.RunAll);

        Assert.Equal([CatchUp(10), CatchUp(20), CatchUp(30)], plan.Occurrences);
    }

    [Theory]
    // 1-second job, down from 12:00:00 to 13:00:00: 3600 occurrences due (12:00:01 … 13:00:00), 13:00:00 on time.
    // Each policy keeps its runs plus the newest 100 misses; the older misses are only counted.
    [InlineData(MisfirePolicy.RunOnce, 1)]
    [InlineData(MisfirePolicy.Skip, 1)]
    [InlineData(MisfirePolicy.RunAll, RunAllCap)]
    public void Plan_SummarisesOldestMisses_WhenMoreMissesThanMaxRecorded(MisfirePolicy policy, int runs)
    {
        const int due = 3600, maxRecorded = 100;

        var plan = Plan(At(due), policy, maxRecorded: maxRecorded, schedule: EverySecond);

        var misses = plan.Occurrences.Where(o => o.Action == PlannedAction.Miss).ToList();
        var ran = plan.Occurrences.Where(o => o.Action != PlannedAction.Miss).ToList();
        var unrecorded = due - maxRecorded - runs;
        Assert.True(misses.Count == maxRecorded, $"{maxRecorded} misses fit under the cap and should each get a row, but {misses.Count} did.");
        Assert.True(ran.Count == runs, $"{policy} should run {runs} occurrence(s), but ran {ran.Count}.");
        Assert.True(plan.UnrecordedMissed == unrecorded,
            $"The {unrecorded} misses beyond the cap should be counted in the summary, but it counts {plan.UnrecordedMissed}.");
        Assert.Equal(due, misses.Count + ran.Count + plan.UnrecordedMissed);
        // The summary covers the oldest misses, contiguously; the rows start right after it.
        Assert.Equal(At(1), plan.UnrecordedFrom);
        Assert.Equal(At(unrecorded), plan.UnrecordedTo);
        Assert.Equal(Enumerable.Range(unrecorded + 1, maxRecorded).Select(Miss), misses);
        Assert.Equal(new PlannedOccurrence(At(due), PlannedAction.Run), plan.Occurrences[^1]);
        Assert.Equal(plan.Occurrences.OrderBy(o => o.ScheduledFor), plan.Occurrences);
    }

    [Fact]
    public void Plan_SummarisesEveryMiss_WhenMaxRecordedIsZero()
    {
        var plan = Plan(At(69), MisfirePolicy.RunOnce, maxRecorded: 0);

        Assert.Equal([CatchUp(60)], plan.Occurrences);
        Assert.Equal(5, plan.UnrecordedMissed);
        Assert.Equal(At(10), plan.UnrecordedFrom);
        Assert.Equal(At(50), plan.UnrecordedTo);
    }

    [Fact]
    public void Plan_Throws_WhenPolicyIsUnknown()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Plan(At(12), (MisfirePolicy)99));

        Assert.Equal("policy", ex.ParamName);
    }
}
