using Totallator.Grains.Hosting;

namespace Totallator.Tests.Hosting;

/// <summary>The bound of the settings cache's start-up read is validated like every other duration.</summary>
[Trait("Category", "Unit")]
public sealed class SettingsFirstReadTimeoutValidationTests
{
    [Fact]
    public void Validate_FailsNamingSettingsFirstReadTimeout_WhenNotPositive()
    {
        var result = new SchedulerOptionsValidator().Validate(null, new SchedulerOptions { SettingsFirstReadTimeout = TimeSpan.Zero });

        Assert.True(result.Failed, "A zero bound would start every silo paused until its first refresh, so it must be rejected.");
        Assert.Contains("Cron:Scheduler:SettingsFirstReadTimeout must be positive", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_IsTenSeconds() => Assert.Equal(TimeSpan.FromSeconds(10), new SchedulerOptions().SettingsFirstReadTimeout);
}
