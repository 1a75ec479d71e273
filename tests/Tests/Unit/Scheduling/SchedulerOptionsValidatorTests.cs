using Totallator.Grains.Hosting;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary><see cref="SchedulerOptionsValidator"/>. Lives with the scheduling tests because that is the folder this suite owns.</summary>
[Trait("Category", "Unit")]
public sealed class SchedulerOptionsValidatorTests
{
    private static readonly SchedulerOptionsValidator Validator = new();

    [Fact]
    public void Validate_Succeeds_WhenDefaults()
    {
        var result = Validator.Validate(null, new SchedulerOptions());

        Assert.True(result.Succeeded, $"The defaults must be valid, but: {result.FailureMessage}");
    }

    [Fact]
    public void Validate_Succeeds_WhenRenewIntervalIsExactlyHalfTheLease()
    {
        var options = new SchedulerOptions { LeaseDuration = TimeSpan.FromSeconds(30), LeaseRenewInterval = TimeSpan.FromSeconds(15) };

        var result = Validator.Validate(null, options);

        Assert.True(result.Succeeded, $"Renewing at half the lease still leaves one spare renewal, so it is valid, but: {result.FailureMessage}");
    }

    [Fact]
    public void Validate_FailsNamingLeaseRenewInterval_WhenRenewIntervalIsMoreThanHalfTheLease()
    {
        var options = new SchedulerOptions { LeaseDuration = TimeSpan.FromSeconds(30), LeaseRenewInterval = TimeSpan.FromSeconds(16) };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed, "A renew interval over half the lease can let a live run's lease expire, so validation must fail.");
        Assert.Contains("Cron:Scheduler:LeaseRenewInterval", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("at most half of LeaseDuration", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FailsNamingTheOption_WhenDurationIsNotPositive()
    {
        var options = new SchedulerOptions { MisfireThreshold = TimeSpan.Zero };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed, "A zero misfire threshold must be rejected.");
        Assert.Contains("Cron:Scheduler:MisfireThreshold must be positive", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, "must not be negative")]
    [InlineData(20, "plus LeaseRenewInterval")]
    public void Validate_RejectsAClaimAheadThatIsNegative_OrCouldOutliveItsLease(int claimAheadSeconds, string message)
    {
        var options = new SchedulerOptions { ClaimAhead = TimeSpan.FromSeconds(claimAheadSeconds) };

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Cron:Scheduler:ClaimAhead", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AcceptsZeroClaimAhead_WhichClaimsAtTheInstant()
    {
        Assert.True(Validator.Validate(null, new SchedulerOptions { ClaimAhead = TimeSpan.Zero }).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Validate_FailsNamingMaxAttemptsLeftRunningPerJob_WhenBelowOne(int value)
    {
        var result = Validator.Validate(null, new SchedulerOptions { MaxAttemptsLeftRunningPerJob = value });

        Assert.True(result.Failed, "At 0 no job could ever run, so validation must fail.");
        Assert.Contains("Cron:Scheduler:MaxAttemptsLeftRunningPerJob must be at least 1", result.FailureMessage, StringComparison.Ordinal);
    }
}
