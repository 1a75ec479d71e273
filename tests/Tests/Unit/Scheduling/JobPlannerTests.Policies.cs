using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>Each misfire policy and each reason not to run, as commands: what the grain would write, in order.</summary>
public sealed partial class JobPlannerTests
{
    /// <summary>Down for 5 s of an every-second job (threshold 1 s, 4 missed rows at most), woken at T0+5.5 s.</summary>
    private static (RecordUnrunCommand? Unrun, ClaimCommand? First, JobPlanner Planner) AfterDowntime(MisfirePolicy policy, int cap = 3)
    {
        var planner = Planner(Job("* * * * * *", policy, cap), TimeSpan.Zero);
        planner.BeginTick();
        var now = T0.AddSeconds(5.5);
        var first = planner.Next(At(now));
        if (first is RecordUnrunCommand unrun)
        {
            planner.Done(unrun, answer: true);
            return (unrun, planner.Next(At(now)) as ClaimCommand, planner);
        }
        return (null, first as ClaimCommand, planner);
    }

    [Fact]
    public void RunOnce_RecordsTheOlderOnesMissed_AndRunsTheLatestOnTime()
    {
        var (unrun, first, _) = AfterDowntime(MisfirePolicy.RunOnce);

        Assert.Equal([1, 2, 3, 4], unrun!.Rows.Select(r => (int)(r.ScheduledFor - T0).TotalSeconds));
        Assert.All(unrun.Rows, r => Assert.Equal(ExecutionStatus.Missed, r.Status));
        Assert.Equal((T0.AddSeconds(5), TriggerSource.Scheduler), (first!.Claim.ScheduledFor, first.Claim.TriggeredBy));
    }

    [Fact]
    public void Skip_RecordsEveryLateOneMissed_BeyondTheRowCapInOneSummaryRow()
    {
        var planner = Planner(Job("*/2 * * * * *", MisfirePolicy.Skip), TimeSpan.Zero);
        planner.BeginTick();
        // Woken 1.5 s after the last of six (past the 1 s threshold): none is on time.
        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(At(T0.AddSeconds(13.5))));

        Assert.All(unrun.Rows, r => Assert.Equal(ExecutionStatus.Missed, r.Status));
        Assert.Equal(2, unrun.Summarised);
        Assert.Equal(
            [OccurrenceKeys.Summary(T0.AddSeconds(2), T0.AddSeconds(4)), .. Enumerable.Range(3, 4).Select(x => OccurrenceKeys.Scheduled(T0.AddSeconds(2 * x)))],
            unrun.Rows.Select(r => r.OccurrenceKey));
        // The summary row too carries the instant its key names (the fence includes scheduledFor since 0015).
        Assert.All(unrun.Rows, r => Assert.Equal(OccurrenceKeys.ScheduledInstant(r.OccurrenceKey), r.ScheduledFor));
        planner.Done(unrun, answer: true);
        Assert.IsType<ArmCommand>(planner.Next(At(T0.AddSeconds(13.5))));
    }

    [Fact]
    public void RunAll_RunsTheNewestUpToItsCap_OneAfterAnother()
    {
        var (unrun, first, planner) = AfterDowntime(MisfirePolicy.RunAll, cap: 2);

        Assert.Equal([1, 2, 3], unrun!.Rows.Select(r => (int)(r.ScheduledFor - T0).TotalSeconds));
        Assert.Equal((T0.AddSeconds(4), TriggerSource.CatchUp), (first!.Claim.ScheduledFor, first.Claim.TriggeredBy));
        planner.Claimed(first, won: true);
        var start = Assert.IsType<StartRunCommand>(planner.Next(At(T0.AddSeconds(5.5))));
        Assert.True(planner.HasCatchUps);
        Assert.IsType<ArmCommand>(planner.Next(At(T0.AddSeconds(5.5), running: start.Claim.ExecutionId)));

        // The catch-up ended: the queued occurrence is next.
        planner.BeginTick();
        var next = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(5.8))));
        Assert.Equal(T0.AddSeconds(5), next.Claim.ScheduledFor);
    }

    [Theory]
    [InlineData("paused")]
    [InlineData("overlap")]
    [InlineData("left-running")]
    public void AnOccurrenceDueWhenItMustNotStart_IsRecordedSkippedWithItsReason(string why)
    {
        var planner = Planner(Job("* * * * * *"), TimeSpan.Zero);
        planner.BeginTick();
        var running = Guid.NewGuid();
        var inputs = why switch
        {
            "paused" => At(T0.AddSeconds(1)) with { Paused = true },
            "overlap" => At(T0.AddSeconds(1), running),
            _ => At(T0.AddSeconds(1)) with { LeftRunningReason = "attempts-left-running: 2 of 2" },
        };

        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(inputs));

        var row = Assert.Single(unrun.Rows);
        Assert.Equal(ExecutionStatus.Skipped, row.Status);
        Assert.Equal(why switch
        {
            "paused" => JobPlanner.PausedReason,
            "overlap" => JobPlanner.OverlapReason(running),
            _ => "attempts-left-running: 2 of 2",
        }, row.Reason);
    }

    [Fact]
    public void AClaimAheadIsTakenInItsSlot_AndStartedAtItsInstantWithoutAWrite()
    {
        var planner = Planner(Job("*/10 * * * * *"), TimeSpan.FromSeconds(2));
        planner.BeginTick();
        var arm = Assert.IsType<ArmCommand>(planner.Next(At(T0.AddSeconds(1))));
        Assert.InRange(arm.At, T0.AddSeconds(8.1), T0.AddSeconds(8.9));

        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(At(arm.At)));
        Assert.Equal((ClaimKind.Ahead, (DateTimeOffset?)null), (claim.Kind, claim.Claim.StartedAt));
        planner.Claimed(claim, won: true);
        Assert.Equal(new ArmCommand(T0.AddSeconds(10)), planner.Next(At(arm.At)));

        planner.BeginTick();
        var start = Assert.IsType<StartRunCommand>(planner.Next(At(T0.AddSeconds(10.01))));
        Assert.Equal((claim.Claim.ExecutionId, true), (start.Claim.ExecutionId, start.StartUnrecorded));
    }

    [Fact]
    public void WhileTheSiloStops_AClaimAheadIsHandedOver_AndNothingIsPlanned()
    {
        var planner = Planner(Job("*/10 * * * * *"), TimeSpan.FromSeconds(2));
        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(8.95))));
        planner.Claimed(claim, won: true);

        planner.BeginTick();
        var release = Assert.IsType<ReleaseCommand>(planner.Next(At(T0.AddSeconds(9)) with { Stopping = true }));
        Assert.False(release.Withdraw, "handed over to the job's next activation");
        Assert.IsType<DisarmCommand>(planner.Next(At(T0.AddSeconds(9)) with { Stopping = true }));
    }

    [Fact]
    public void DisablingWithdrawsAClaimAhead()
    {
        var job = Job("*/10 * * * * *");
        var planner = Planner(job, TimeSpan.FromSeconds(2));
        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(8.95))));
        planner.Claimed(claim, won: true);

        planner.Changed(job with { IsEnabled = false, Version = 2 }, Schedule(job.Schedule), resetTo: T0.AddSeconds(9));
        planner.BeginTick();

        var release = Assert.IsType<ReleaseCommand>(planner.Next(At(T0.AddSeconds(9))));
        Assert.True(release.Withdraw);
        Assert.IsType<DisarmCommand>(planner.Next(At(T0.AddSeconds(9))));
    }

    [Fact]
    public void AClaimWithoutAnAnswer_IsAskedAgainWithTheSameId_OrRecordedUnderIt()
    {
        var planner = Planner(Job("*/10 * * * * *"), TimeSpan.Zero);
        planner.BeginTick();
        var first = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(10))));
        planner.Failed(first);

        planner.BeginTick();
        var again = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(10.9))));
        Assert.Equal((first.Claim.OccurrenceKey, first.Claim.ExecutionId), (again.Claim.OccurrenceKey, again.Claim.ExecutionId));
        planner.Failed(again);

        // Too late now (another occurrence is due): missed, under the id the claim may have committed with, so the store ends
        // that row instead of leaving it to expire.
        planner.BeginTick();
        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(At(T0.AddSeconds(20.5))));
        Assert.Equal(first.Claim.ExecutionId, unrun.Rows.Single(r => r.OccurrenceKey == first.Claim.OccurrenceKey).ExecutionId);
    }

    [Fact]
    public void ADueClaimSaysClaimedUntilItsRunStarts()
    {
        var planner = Planner(Job("* * * * * *"), TimeSpan.Zero);
        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(1.01))));
        Assert.Null(claim.Claim.StartedAt);
        planner.Claimed(claim, won: true);

        var start = Assert.IsType<StartRunCommand>(planner.Next(At(T0.AddSeconds(1.01))));
        Assert.Equal((T0.AddSeconds(1.01), true), (start.Claim.StartedAt!.Value, start.StartUnrecorded));
    }

    /// <summary>The claim of T0+10 committed but its reply was lost; a reload (the heartbeat) then planned from past it.</summary>
    private static (JobPlanner Planner, ClaimCommand Lost) LostThenReloadedPastIt(JobRecord job, DateTimeOffset reloadAt)
    {
        var planner = Planner(job, TimeSpan.Zero);
        planner.BeginTick();
        var lost = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(10))));
        planner.Failed(lost);
        planner.Load(job with { LastScheduledFor = T0.AddSeconds(10) }, Schedule(job.Schedule), defined: true, reloadAt);
        return (planner, lost);
    }

    [Fact]
    public void AClaimWithoutAnAnswer_IsAskedAgain_EvenAfterAReloadPlannedPastIt()
    {
        // The claim committed (so lastScheduledFor moved to it) but its reply was lost; the heartbeat then reloads the job.
        var job = Job("*/10 * * * * *");
        var (planner, lost) = LostThenReloadedPastIt(job, T0.AddSeconds(10.5));

        planner.BeginTick();
        var again = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(10.5))));

        Assert.Equal((lost.Claim.ExecutionId, ClaimKind.Due), (again.Claim.ExecutionId, again.Kind));
        planner.Claimed(again, won: true);
        Assert.Equal(lost.Claim.ExecutionId, Assert.IsType<StartRunCommand>(planner.Next(At(T0.AddSeconds(10.5)))).Claim.ExecutionId);
    }

    [Fact]
    public void AClaimWithoutAnAnswer_AskedAgainWhileARunIsInProgress_IsRecordedSkippedUnderItsId_NotRunBesideIt()
    {
        // As above, but a manual run started meanwhile: asking again would start a second run of the job beside it.
        var job = Job("*/10 * * * * *");
        var (planner, lost) = LostThenReloadedPastIt(job, T0.AddSeconds(10.5));

        planner.BeginTick();
        var running = Guid.NewGuid();
        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(At(T0.AddSeconds(10.5), running)));

        var row = Assert.Single(unrun.Rows);
        Assert.Equal((lost.Claim.ExecutionId, ExecutionStatus.Skipped), (row.ExecutionId, row.Status));
        Assert.Equal(JobPlanner.OverlapReason(running), row.Reason);
        planner.Done(unrun, answer: true);
        Assert.IsType<ArmCommand>(planner.Next(At(T0.AddSeconds(10.5), running)));
    }

    [Fact]
    public void AClaimWithoutAnAnswer_AskedAgainPastTheThreshold_UnderSkip_IsRecordedMissed()
    {
        var job = Job("*/10 * * * * *", MisfirePolicy.Skip);
        var (planner, lost) = LostThenReloadedPastIt(job, T0.AddSeconds(15));

        planner.BeginTick();
        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(At(T0.AddSeconds(15))));

        var row = Assert.Single(unrun.Rows);
        Assert.Equal((lost.Claim.ExecutionId, ExecutionStatus.Missed), (row.ExecutionId, row.Status));
    }
}
