using Totallator.Grains.Clock;

namespace Totallator.Tests.Unit.Clock;

[Trait("Category", "Unit")]
public sealed class ClockEstimateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static ClockSample Sample(long sentAtMs, long roundTripMs, long databaseMs) =>
        new(T0.AddMilliseconds(sentAtMs), TimeSpan.FromMilliseconds(roundTripMs), T0.AddMilliseconds(databaseMs));

    [Fact]
    public void TheQuickestReadingWins_ItsMidpointGivesTheOffset_AndHalfItsRoundTripTheUncertainty()
    {
        // The host is 5 s behind: the database read 5 s more than the midpoint of each round trip (the slow one is skewed by
        // where in its 300 ms the database happened to read its clock).
        var estimate = ClockEstimate.From(
            [Sample(0, 300, 5_290), Sample(1_000, 4, 6_002), Sample(2_000, 10, 7_004)], TimeSpan.FromMilliseconds(500));

        Assert.Equal(new ClockEstimate(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(2)), estimate);
    }

    [Fact]
    public void AHostAheadGetsANegativeOffset()
    {
        var estimate = ClockEstimate.From([Sample(10_000, 2, 6_001)], TimeSpan.FromMilliseconds(500));

        Assert.Equal(TimeSpan.FromSeconds(-4), estimate!.Value.Offset);
    }

    [Fact]
    public void ReadingsSlowerThanTheBound_GiveNoEstimate()
    {
        Assert.Null(ClockEstimate.From([Sample(0, 600, 5_300), Sample(1_000, 501, 6_250)], TimeSpan.FromMilliseconds(500)));
        Assert.Null(ClockEstimate.From([], TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void TheSchedulerClock_CorrectsTheWallTimeOnly()
    {
        var host = new FixedHost(T0);
        var clock = new SchedulerClock(host);
        Assert.Equal((T0, (TimeSpan?)null), (clock.GetUtcNow(), clock.Uncertainty));

        clock.Set(new ClockEstimate(TimeSpan.FromSeconds(-4), TimeSpan.FromMilliseconds(1)));

        Assert.Equal(T0.AddSeconds(-4), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromMilliseconds(1), clock.Uncertainty);
        Assert.Equal(host.GetTimestamp(), clock.GetTimestamp());
    }

    private sealed class FixedHost(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override long GetTimestamp() => 42;
    }
}
