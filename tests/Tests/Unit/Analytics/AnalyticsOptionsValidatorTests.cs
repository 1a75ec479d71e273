using Totallator.Grains.Analytics;

namespace Totallator.Tests.Unit.Analytics;

/// <summary><see cref="AnalyticsOptionsValidator"/>: the defaults pass; each bad value is refused by its name.</summary>
[Trait("Category", "Unit")]
public sealed class AnalyticsOptionsValidatorTests
{
    private static readonly AnalyticsOptionsValidator Validator = new();

    [Fact]
    public void TheDefaults_AreValid()
    {
        var result = Validator.Validate(null, new AnalyticsOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal(new RollupPolicy(400, 14, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(2.5)), new AnalyticsOptions().Policy);
    }

    [Theory]
    [InlineData("RollupInterval")]
    [InlineData("KeepDays")]
    [InlineData("HourlyKeepDays")]
    [InlineData("LateEndGrace")]
    public void ABadValue_IsRefusedByName(string field)
    {
        var options = field switch
        {
            "RollupInterval" => new AnalyticsOptions { RollupInterval = TimeSpan.Zero },
            "KeepDays" => new AnalyticsOptions { KeepDays = 0 },
            "HourlyKeepDays" => new AnalyticsOptions { HourlyKeepDays = 1 },
            _ => new AnalyticsOptions { LateEndGrace = TimeSpan.FromMinutes(-1) },
        };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"Cron:Analytics:{field}", result.FailureMessage, StringComparison.Ordinal);
    }
}
