using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Storage;

[Trait("Category", "Unit")]
public sealed class ScheduledSpanTests
{
    private static readonly DateTimeOffset T = new(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_Instants_IsTheirEarliestAndLatest()
    {
        var span = ScheduledSpan.Of([T.AddHours(5), T, T.AddDays(-2), T.AddHours(1)]);
        Assert.Equal(new ScheduledSpan(T.AddDays(-2), T.AddHours(5)), span);
        Assert.True(span.Holds(T.AddDays(-2)));
        Assert.True(span.Holds(T.AddHours(5)));
        Assert.False(span.Holds(T.AddHours(5).AddTicks(1)));
        Assert.False(span.Holds(T.AddDays(-2).AddTicks(-1)));
    }

    [Fact]
    public void At_OneInstant_HoldsOnlyIt_AndAnUnknownOneHoldsEverything()
    {
        Assert.Equal(ScheduledSpan.Of([T]), ScheduledSpan.At(T));
        Assert.True(ScheduledSpan.At(T).Holds(T));
        Assert.False(ScheduledSpan.At(T).Holds(T.AddTicks(1)));
        Assert.False(ScheduledSpan.At(T).Holds(T.AddTicks(-1)));
        Assert.Equal(ScheduledSpan.Unknown, ScheduledSpan.At(null));
    }

    [Fact]
    public void Of_AnyUnknownInstant_OrNone_IsUnknown_AndHoldsEverything()
    {
        Assert.Equal(ScheduledSpan.Unknown, ScheduledSpan.Of([T, null, T.AddDays(1)]));
        Assert.Equal(ScheduledSpan.Unknown, ScheduledSpan.Of([]));
        Assert.True(ScheduledSpan.Unknown.Holds(DateTimeOffset.MinValue));
        Assert.True(ScheduledSpan.Unknown.Holds(DateTimeOffset.MaxValue));
    }
}
