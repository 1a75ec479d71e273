using Totallator.Grains.Hosting;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>The retry backoff of <see cref="SchedulerOptions"/>. Lives with the scheduling tests because that is the folder this suite owns.</summary>
[Trait("Category", "Unit")]
public sealed class SchedulerOptionsTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 16)]
    [InlineData(6, 30)] // 32 s capped at RetryMaxDelay
    [InlineData(7, 30)]
    [InlineData(100, 30)]
    public void RetryDelay_DoublesUpToThirtySeconds_WhenDefaults(int retry, int expectedSeconds)
    {
        var delay = new SchedulerOptions().RetryDelay(retry);

        Assert.True(delay == TimeSpan.FromSeconds(expectedSeconds),
            $"Retry {retry} should wait 1 s × 2^{retry - 1} capped at 30 s = {expectedSeconds} s, but waits {delay.TotalSeconds} s.");
    }

    [Fact]
    public void RetryDelay_UsesConfiguredBaseAndCap_WhenChanged()
    {
        var options = new SchedulerOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(250), RetryMaxDelay = TimeSpan.FromSeconds(1) };

        Assert.Equal(
            [TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)],
            Enumerable.Range(1, 4).Select(options.RetryDelay));
    }
}
