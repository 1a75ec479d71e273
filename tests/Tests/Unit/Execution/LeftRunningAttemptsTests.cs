using Totallator.Grains.Execution;

namespace Totallator.Tests.Unit.Execution;

[Trait("Category", "Unit")]
public sealed class LeftRunningAttemptsTests
{
    [Fact]
    public void CountsPerJob_AndKeepsAJobAtZeroOnceItsAttemptsEnded()
    {
        var attempts = new LeftRunningAttempts();

        Assert.Equal(1, attempts.Add("a"));
        Assert.Equal(2, attempts.Add("a"));
        Assert.Equal(1, attempts.Add("b"));
        Assert.Equal(1, attempts.Remove("a"));
        Assert.Equal(0, attempts.Remove("b"));

        Assert.Equal(1, attempts.CountOf("a"));
        Assert.Equal(0, attempts.CountOf("never"));
        Assert.Equal(1, attempts.Total);
        Assert.Equal([KeyValuePair.Create("a", 1), KeyValuePair.Create("b", 0)], attempts.Snapshot().OrderBy(c => c.Key, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0, 2, false)]
    [InlineData(1, 2, false)]
    [InlineData(2, 2, true)]
    [InlineData(3, 2, true)]
    [InlineData(1, 1, true)]
    public void SkipReason_IsGivenOnlyAtTheBound_StartingWithItsWord(int count, int max, bool skipped)
    {
        var reason = LeftRunningAttempts.SkipReason(count, max);

        Assert.Equal(skipped, reason is not null);
        if (reason is not null)
        {
            Assert.StartsWith("attempts-left-running: ", reason, StringComparison.Ordinal);
            Assert.Contains($"{count} attempts of this job ignored cancellation", reason, StringComparison.Ordinal);
            Assert.Contains($"MaxAttemptsLeftRunningPerJob is {max}", reason, StringComparison.Ordinal);
        }
    }
}
