using Totallator.Grains.Hosting;
using Totallator.Grains.Scheduling;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary><see cref="Sleep.WakeAt"/>: which jobs sleep, until when; and the options that bound it.</summary>
[Trait("Category", "Unit")]
public sealed class SleepTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Beyond = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Lead = TimeSpan.FromMinutes(2);

    private static SleepInputs Idle(TimeSpan armedIn) => new(Now, Now + armedIn, PlannerQuiet: true, RunsInHand: false, OneOffsPending: false,
        RunsAfterOthers: false, Stopping: false);

    [Fact]
    public void AnIdleJobArmedBeyondTheThreshold_SleepsUntilTheLeadBeforeItsTimer()
    {
        Assert.Equal(Now + TimeSpan.FromMinutes(58), Sleep.WakeAt(Idle(TimeSpan.FromHours(1)), Beyond, Lead));
    }

    [Fact]
    public void JobsSharingAnInstant_WakeSpreadOverHalfTheLeadMore()
    {
        Assert.Equal(Now + TimeSpan.FromMinutes(57), Sleep.WakeAt(Idle(TimeSpan.FromHours(1)), Beyond, Lead, jitter: 1));
        Assert.Equal(Now + TimeSpan.FromMinutes(57.5), Sleep.WakeAt(Idle(TimeSpan.FromHours(1)), Beyond, Lead, jitter: 0.5));
        Assert.Equal(Now + TimeSpan.FromMinutes(57), Sleep.WakeAt(Idle(TimeSpan.FromHours(1)), Beyond, Lead, jitter: 7));
    }

    [Theory]
    [InlineData(600)] // exactly at the threshold: awake
    [InlineData(59)]
    public void AJobArmedWithinTheThreshold_StaysAwake(int seconds)
    {
        Assert.Null(Sleep.WakeAt(Idle(TimeSpan.FromSeconds(seconds)), Beyond, Lead));
    }

    [Fact]
    public void AnythingInHand_KeepsTheJobAwake()
    {
        var far = Idle(TimeSpan.FromHours(1));
        Assert.Null(Sleep.WakeAt(far with { PlannerQuiet = false }, Beyond, Lead));
        Assert.Null(Sleep.WakeAt(far with { RunsInHand = true }, Beyond, Lead));
        Assert.Null(Sleep.WakeAt(far with { OneOffsPending = true }, Beyond, Lead));
        Assert.Null(Sleep.WakeAt(far with { RunsAfterOthers = true }, Beyond, Lead));
        Assert.Null(Sleep.WakeAt(far with { Stopping = true }, Beyond, Lead));
        Assert.Null(Sleep.WakeAt(far with { ArmedFor = null }, Beyond, Lead));
    }

    [Fact]
    public void AZeroThreshold_KeepsEveryJobAwake()
    {
        Assert.Null(Sleep.WakeAt(Idle(TimeSpan.FromDays(300)), TimeSpan.Zero, Lead));
    }

    [Fact]
    public void Options_RefuseALeadNotLongerThanTheWakeUpPeriod_AndAThresholdNotLongerThanTheLead()
    {
        var validator = new SchedulerOptionsValidator();
        var shortLead = validator.Validate(null, new SchedulerOptions { SleepBeyond = TimeSpan.FromMinutes(10), WakeLead = TimeSpan.FromMinutes(1) });
        Assert.Contains("Cron:Scheduler:WakeLead", shortLead.FailureMessage, StringComparison.Ordinal);
        var shortThreshold = validator.Validate(null, new SchedulerOptions { SleepBeyond = TimeSpan.FromMinutes(2) });
        Assert.Contains("Cron:Scheduler:SleepBeyond", shortThreshold.FailureMessage, StringComparison.Ordinal);
        Assert.True(validator.Validate(null, new SchedulerOptions { SleepBeyond = TimeSpan.FromMinutes(10) }).Succeeded);
        // With a 5-second heartbeat the wake-up repeats every 5 s, so a 6-second lead is enough; zero (the default) turns sleeping off.
        Assert.True(validator.Validate(null, new SchedulerOptions
        {
            HeartbeatPeriod = TimeSpan.FromSeconds(5), WakeLead = TimeSpan.FromSeconds(6), SleepBeyond = TimeSpan.FromSeconds(9),
        }).Succeeded);
        Assert.True(validator.Validate(null, new SchedulerOptions { SleepBeyond = TimeSpan.Zero, WakeLead = TimeSpan.Zero }).Succeeded);
    }
}
