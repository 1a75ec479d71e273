using Totallator.Grains.Scheduling;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>
/// The start window (<see cref="PlanInputs.StartsThrough"/>): a claimed occurrence starts with no write, so it starts only if
/// its instant is within the window of the silo's last accepted check-in; a survivor hands over a dead silo's claims past it.
/// </summary>
public sealed partial class JobPlannerTests
{
    private static PlanInputs Within(DateTimeOffset now, DateTimeOffset startsThrough) =>
        new(now, Paused: false, Stopping: false, Running: null, LeftRunningReason: null, startsThrough);

    [Fact]
    public void AClaimAheadPastTheStartWindow_WaitsForACheckIn_AndStartsOnceInside()
    {
        var job = Job("*/10 * * * * *");
        var planner = Planner(job, TimeSpan.FromSeconds(2));
        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(Within(T0.AddSeconds(8.5), T0.AddSeconds(9.5))));
        planner.Claimed(claim, won: true);

        // At its instant the last accepted check-in was more than the window ago (the database slow, or the silo fenced).
        planner.BeginTick();
        // Just behind (a check-in late under load): it looks again soon; further behind, after as long as it is behind.
        Assert.Equal(new ArmCommand(T0.AddSeconds(10) + JobPlanner.StartWindowRecheck), planner.Next(Within(T0.AddSeconds(10), T0.AddMilliseconds(9_950))));
        planner.BeginTick();
        Assert.Equal(new ArmCommand(T0.AddMilliseconds(10_400)), planner.Next(Within(T0.AddSeconds(10), T0.AddMilliseconds(9_600))));
        planner.BeginTick();
        Assert.Equal(new ArmCommand(T0.AddSeconds(11)), planner.Next(Within(T0.AddSeconds(10), T0.AddSeconds(5))));
        Assert.Equal(claim.Claim, planner.Ahead!.Claim);

        planner.BeginTick();
        var start = Assert.IsType<StartRunCommand>(planner.Next(Within(T0.AddSeconds(10.1), T0.AddSeconds(11))));
        Assert.Equal(claim.Claim.ExecutionId, start.Claim.ExecutionId);
    }

    [Fact]
    public void ADueOccurrencePastTheStartWindow_IsNotEvenClaimed_UntilACheckInCoversIt()
    {
        var job = Job("* * * * * *");
        var planner = Planner(job, TimeSpan.Zero);
        planner.BeginTick();
        // Never checked in: it looks again once a second.
        Assert.Equal(new ArmCommand(T0.AddSeconds(1) + JobPlanner.StartWindowRecheckMax), planner.Next(Within(T0.AddSeconds(1), DateTimeOffset.MinValue)));

        planner.BeginTick();
        var claim = Assert.IsType<ClaimCommand>(planner.Next(Within(T0.AddSeconds(1.1), T0.AddSeconds(2))));
        Assert.Equal((T0.AddSeconds(1), ClaimKind.Due), (claim.Claim.ScheduledFor, claim.Kind));
    }

    [Fact]
    public void AClaimTakenOver_ThenAResetReadBack_IsJudgedFromTheReset_NotRunPastTheNewSchedulesEarlierOccurrences()
    {
        // Found by the simulation: a dead silo's claim of T0+12 was handed over and taken over; an admin's reschedule to every
        // second (resetting the position to T0+10.5) committed but its reply was lost, so the activation read it back. The
        // claim ran and T0+11 was planned past without a row.
        var job = Job("*/2 * * * * *") with { LastScheduledFor = T0.AddSeconds(12) };
        var (planner, handed) = TakingOver(job, T0.AddSeconds(12), T0.AddSeconds(10), TimeSpan.FromSeconds(2));
        planner.BeginTick();
        Assert.Equal(new ArmCommand(T0.AddSeconds(12)), planner.Next(At(T0.AddSeconds(10))));

        var changed = job with { Schedule = "* * * * * *", LastScheduledFor = T0.AddSeconds(10.5), Version = job.Version + 1 };
        planner.Load(changed, Schedule(changed.Schedule), defined: true, T0.AddSeconds(10.6));
        planner.BeginTick();

        var release = Assert.IsType<ReleaseCommand>(planner.Next(At(T0.AddSeconds(10.6))));
        Assert.Equal((handed.Id, false), (release.Claim.ExecutionId, release.Withdraw));
    }
}
