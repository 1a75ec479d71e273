using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>The planner alone, command by command, with a fake clock: the cases the simulation found, pinned down.</summary>
[Trait("Category", "Unit")]
public sealed partial class JobPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    internal static JobRecord Job(string schedule, MisfirePolicy policy = MisfirePolicy.RunOnce, int cap = 3) => new()
    {
        Id = Guid.NewGuid(), Slug = "p", Name = "p", Description = "", Schedule = schedule, TimeZone = "UTC", IsEnabled = true, TimeoutMs = 1000,
        MaxRetries = 0, MisfirePolicy = policy, MisfireRunAllCap = cap, Source = "code", IsOrphaned = false, OverriddenFields = [],
        LastScheduledFor = T0, Version = 1, CreatedAt = T0, UpdatedAt = T0, CreatedBy = "t", LastModifiedBy = "t",
    };

    internal static CronSchedule Schedule(string expression)
    {
        Assert.True(CronSchedule.TryParse(expression, "UTC", T0, new ScheduleVariables([], _ => null), ScheduleOrigin.Definition, out var schedule, out var error), error);
        return schedule!;
    }

    internal static JobPlanner Planner(JobRecord job, TimeSpan claimAhead)
    {
        var planner = new JobPlanner(new PlannerSettings(claimAhead, TimeSpan.FromSeconds(1), 4, TimeSpan.FromSeconds(6), "silo"), Guid.NewGuid, new Random(1));
        planner.Load(job, Schedule(job.Schedule), defined: true, T0);
        return planner;
    }

    internal static PlanInputs At(DateTimeOffset now, Guid? running = null) => new(now, Paused: false, Stopping: false, running, LeftRunningReason: null);

    /// <summary>A planner on silo-b loading <paramref name="job"/> at <paramref name="now"/>, with its claim of <paramref name="scheduledFor"/> handed over to it.</summary>
    internal static (JobPlanner Planner, ExecutionRecord Handed) TakingOver(JobRecord job, DateTimeOffset scheduledFor, DateTimeOffset now, TimeSpan claimAhead)
    {
        var planner = new JobPlanner(new PlannerSettings(claimAhead, TimeSpan.FromSeconds(1), 4, TimeSpan.FromSeconds(6), "silo-b"), Guid.NewGuid, new Random(1));
        var handed = new ExecutionRecord
        {
            Id = Guid.NewGuid(), CronJobId = job.Id, OccurrenceKey = OccurrenceKeys.Scheduled(scheduledFor), ScheduledFor = scheduledFor,
            Status = ExecutionStatus.Claimed, TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = "silo-b",
        };
        planner.Load(job, Schedule(job.Schedule), defined: true, now, [handed]);
        return (planner, handed);
    }

    [Fact]
    public void ARescheduleThatStillFiresAtTheClaimedInstantButEarlierToo_ReleasesTheClaim()
    {
        var job = Job("*/10 * * * * *");
        var planner = Planner(job, TimeSpan.FromSeconds(2));
        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(8.5))));
        Assert.Equal(T0.AddSeconds(10), claim.Claim.ScheduledFor);
        planner.Claimed(claim, won: true);

        // An admin makes it fire every 2 s, planning from T0+7 s: T0+10 s still fires, but T0+8 s comes first and must be
        // planned, not passed over.
        planner.Changed(job with { Schedule = "*/2 * * * * *" }, Schedule("*/2 * * * * *"), resetTo: T0.AddSeconds(7));
        planner.BeginTick();

        var release = Assert.IsType<ReleaseCommand>(planner.Next(At(T0.AddSeconds(9))));
        Assert.Equal(T0.AddSeconds(10), release.Claim.ScheduledFor);
    }

    [Fact]
    public void AnOverlapSkipRecordedWhileCatchUpsWait_DoesNotMoveTheSchedulePastThem()
    {
        var job = Job("* * * * * *", MisfirePolicy.RunAll, cap: 3);
        var planner = Planner(job, TimeSpan.Zero);
        planner.BeginTick();
        // Down for 3 s: T0+1, +2 and +3 are due; the first runs as a catch-up, the other two wait for it.
        var first = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(3.5))));
        Assert.Equal(T0.AddSeconds(1), first.Claim.ScheduledFor);
        planner.Claimed(first, won: true);
        var start = Assert.IsType<StartRunCommand>(planner.Next(At(T0.AddSeconds(3.5))));
        Assert.IsType<ArmCommand>(planner.Next(At(T0.AddSeconds(3.5), running: start.Claim.ExecutionId)));

        // T0+4 falls due while the first catch-up still runs: skipped for overlap, without standing in for T0+2 and T0+3.
        planner.BeginTick();
        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(At(T0.AddSeconds(4), running: start.Claim.ExecutionId)));
        var row = Assert.Single(unrun.Rows);
        Assert.Equal((T0.AddSeconds(4), ExecutionStatus.Skipped), (row.ScheduledFor, row.Status));
        Assert.False(row.AdvancesSchedule, "the schedule would stand past T0+2 and T0+3, which have no row");
    }

    [Fact]
    public void ALostClaimMakesThePlannerReadTheJobAgain_OnceATick()
    {
        var job = Job("* * * * * *");
        var planner = Planner(job, TimeSpan.Zero);
        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(1))));
        Assert.Equal(job.Version, claim.Claim.JobVersion);

        // Held by another activation, or refused because the job changed under this one.
        planner.Claimed(claim, won: false);
        Assert.IsType<ReloadCommand>(planner.Next(At(T0.AddSeconds(1))));
        planner.Load(job with { LastScheduledFor = T0.AddSeconds(1) }, Schedule(job.Schedule), defined: true, T0.AddSeconds(1));
        Assert.IsType<ArmCommand>(planner.Next(At(T0.AddSeconds(1))));
    }

    [Fact]
    public void UnrunRowsTheStoreRefusedAsStale_AreNotCountedAsPlanned()
    {
        var job = Job("* * * * * *", MisfirePolicy.Skip);
        var planner = Planner(job, TimeSpan.Zero);
        planner.BeginTick();
        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(At(T0.AddSeconds(5))));
        Assert.All(unrun.Rows, r => Assert.Equal(job.Version, r.JobVersion));

        planner.Done(unrun, answer: false);

        Assert.IsType<ReloadCommand>(planner.Next(At(T0.AddSeconds(5))));
        Assert.Equal(T0, planner.LastHandled);
    }

    [Fact]
    public void AClaimTakenOverFromAnActivationThatWent_RunsAtItsInstant()
    {
        var job = Job("*/10 * * * * *") with { LastScheduledFor = T0.AddSeconds(10) };
        var (planner, handed) = TakingOver(job, T0.AddSeconds(10), T0.AddSeconds(9), TimeSpan.FromSeconds(2));

        planner.BeginTick();
        Assert.Equal(new ArmCommand(T0.AddSeconds(10)), planner.Next(At(T0.AddSeconds(9))));
        planner.BeginTick();
        var start = Assert.IsType<StartRunCommand>(planner.Next(At(T0.AddSeconds(10))));
        Assert.Equal((handed.Id, "silo-b", true), (start.Claim.ExecutionId, start.Claim.LeaseOwner, start.StartUnrecorded));
    }

    [Theory]
    [InlineData(MisfirePolicy.RunOnce)]
    [InlineData(MisfirePolicy.RunAll)]
    public void AClaimTakenOverLongAfterItsInstant_WithLaterOccurrencesDue_IsMissed_AndThePolicyPlansTheRest(MisfirePolicy policy)
    {
        // A whole-cluster stop: the stopping silo handed over its claim of T0+2; the cluster is back at T0+9.5, four
        // occurrences later. Before, the taken-over claim ran late on top of what the policy ran.
        var job = Job("*/2 * * * * *", policy, cap: 2) with { LastScheduledFor = T0.AddSeconds(2) };
        var now = T0.AddSeconds(9.5);
        var (planner, handed) = TakingOver(job, T0.AddSeconds(2), now, TimeSpan.Zero);

        planner.BeginTick();
        var end = Assert.IsType<EndUnrunCommand>(planner.Next(At(now)));
        Assert.Equal((handed.Id, ExecutionStatus.Missed), (end.Claim.ExecutionId, end.Status));
        Assert.StartsWith("misfire (", end.Reason, StringComparison.Ordinal);
        planner.Done(end);

        // The policy then plans T0+4 .. T0+8: older ones missed, the newest (run_once) or the newest two (run_all cap 2) run.
        var unrun = Assert.IsType<RecordUnrunCommand>(planner.Next(At(now)));
        Assert.All(unrun.Rows, r => Assert.Equal(ExecutionStatus.Missed, r.Status));
        planner.Done(unrun, answer: true);
        var claim = Assert.IsType<ClaimCommand>(planner.Next(At(now)));
        Assert.Equal(policy == MisfirePolicy.RunOnce ? T0.AddSeconds(8) : T0.AddSeconds(6), claim.Claim.ScheduledFor);
    }

    [Fact]
    public void AClaimTakenOverLate_ThatIsStillTheNewestDueOccurrence_Runs()
    {
        var job = Job("*/10 * * * * *") with { LastScheduledFor = T0.AddSeconds(10) };
        var (planner, handed) = TakingOver(job, T0.AddSeconds(10), T0.AddSeconds(15), TimeSpan.Zero);

        planner.BeginTick();
        Assert.Equal(handed.Id, Assert.IsType<StartRunCommand>(planner.Next(At(T0.AddSeconds(15)))).Claim.ExecutionId);
    }

    [Fact]
    public void ARescheduleDropsTheCatchUpsTheOldScheduleQueued()
    {
        var job = Job("* * * * * *", MisfirePolicy.RunAll, cap: 3);
        var planner = Planner(job, TimeSpan.Zero);
        planner.BeginTick();
        var first = Assert.IsType<ClaimCommand>(planner.Next(At(T0.AddSeconds(3.5))));
        planner.Claimed(first, won: true);
        Assert.True(planner.HasCatchUps);

        planner.Changed(job with { Schedule = "0 0 * * * *", Version = 2 }, Schedule("0 0 * * * *"), resetTo: T0.AddSeconds(3.5));

        Assert.False(planner.HasCatchUps);
        Assert.Equal(T0.AddHours(1), planner.NextFireAt);
    }
}
