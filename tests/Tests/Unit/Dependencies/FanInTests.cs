using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Tests.Unit.Dependencies;

[Trait("Category", "Unit")]
public sealed class FanInTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static PendingSignal Signal(string upstream, int second, ExecutionStatus status = ExecutionStatus.Succeeded) =>
        new(Guid.CreateVersion7(), upstream, "m:" + second, Guid.CreateVersion7(), status, T0.AddSeconds(second));

    private static readonly Upstream[] XAndY = [new("x"), new("y")];

    [Fact]
    public void WaitsUntilEveryUpstreamHasSignalled_NamingThoseItWaitsFor()
    {
        var decision = FanIn.Decide(XAndY, [Signal("x", 1), Signal("x", 2)]);
        Assert.False(decision.Ready);
        Assert.Equal(["y"], decision.Waiting);
        Assert.Empty(decision.Consumed);
    }

    [Fact]
    public void WhenAllHaveSignalled_NamesTheLatestOfEach_AndConsumesEveryPendingSignal()
    {
        var x1 = Signal("x", 1);
        var x2 = Signal("x", 2);
        var y1 = Signal("y", 3);
        var stale = Signal("gone", 0); // an upstream since removed from the job's edges
        var decision = FanIn.Decide(XAndY, [x2, y1, x1, stale]);

        Assert.True(decision.Ready);
        Assert.Equal([x2, y1], decision.Signalling);
        Assert.Equal(new[] { x1.Id, x2.Id, y1.Id, stale.Id }.Order(), decision.Consumed.Select(r => r.Id));
        Assert.Empty(decision.Waiting);
    }

    [Fact]
    public void TheOccurrenceKey_DependsOnlyOnTheSignallingExecutions_NotOnTheOrderTheyWereRead()
    {
        var x = Signal("x", 1);
        var y = Signal("y", 2);
        var one = FanIn.Decide(XAndY, [x, y]);
        var other = FanIn.Decide([new("y"), new("x")], [y, x]);
        Assert.Equal(one.OccurrenceKey, other.OccurrenceKey);
        Assert.StartsWith("d:", one.OccurrenceKey, StringComparison.Ordinal);
        Assert.Contains(x.UpstreamExecutionId.ToString("N"), one.OccurrenceKey, StringComparison.Ordinal);
        Assert.NotEqual(one.OccurrenceKey, FanIn.Decide(XAndY, [x, Signal("y", 3)]).OccurrenceKey);
    }

    [Fact]
    public void AJobWithoutUpstreams_NeverRuns_EvenWithStaleSignals()
    {
        Assert.False(FanIn.Decide([], [Signal("x", 1)]).Ready);
    }
}
