using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Tests.Unit.Dependencies;

[Trait("Category", "Unit")]
public sealed class FanInTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static PendingRelease Release(string upstream, int second, ExecutionStatus status = ExecutionStatus.Succeeded) =>
        new(Guid.CreateVersion7(), upstream, "m:" + second, Guid.CreateVersion7(), status, T0.AddSeconds(second));

    private static readonly Upstream[] XAndY = [new("x"), new("y")];

    [Fact]
    public void WaitsUntilEveryUpstreamHasReleased_NamingThoseItWaitsFor()
    {
        var decision = FanIn.Decide(XAndY, [Release("x", 1), Release("x", 2)]);
        Assert.False(decision.Ready);
        Assert.Equal(["y"], decision.Waiting);
        Assert.Empty(decision.Consumed);
    }

    [Fact]
    public void WhenAllHaveReleased_NamesTheLatestOfEach_AndConsumesEveryPendingRelease()
    {
        var x1 = Release("x", 1);
        var x2 = Release("x", 2);
        var y1 = Release("y", 3);
        var stale = Release("gone", 0); // an upstream since removed from the job's edges
        var decision = FanIn.Decide(XAndY, [x2, y1, x1, stale]);

        Assert.True(decision.Ready);
        Assert.Equal([x2, y1], decision.Releasing);
        Assert.Equal(new[] { x1.Id, x2.Id, y1.Id, stale.Id }.Order(), decision.Consumed.Select(r => r.Id));
        Assert.Empty(decision.Waiting);
    }

    [Fact]
    public void TheOccurrenceKey_DependsOnlyOnTheReleasingExecutions_NotOnTheOrderTheyWereRead()
    {
        var x = Release("x", 1);
        var y = Release("y", 2);
        var one = FanIn.Decide(XAndY, [x, y]);
        var other = FanIn.Decide([new("y"), new("x")], [y, x]);
        Assert.Equal(one.OccurrenceKey, other.OccurrenceKey);
        Assert.StartsWith("d:", one.OccurrenceKey, StringComparison.Ordinal);
        Assert.Contains(x.UpstreamExecutionId.ToString("N"), one.OccurrenceKey, StringComparison.Ordinal);
        Assert.NotEqual(one.OccurrenceKey, FanIn.Decide(XAndY, [x, Release("y", 3)]).OccurrenceKey);
    }

    [Fact]
    public void AJobWithoutUpstreams_NeverRuns_EvenWithStaleReleases()
    {
        Assert.False(FanIn.Decide([], [Release("x", 1)]).Ready);
    }
}
