using Totallator.AdminApi.Events;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Tests.Unit.AdminApi;

[Trait("Category", "Unit")]
public sealed class ActivityCursorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static ExecutionSummary Ended(Guid id, DateTimeOffset completedAt) => new()
    {
        Id = id, JobSlug = "a", OccurrenceKey = $"m:{id}", ScheduledFor = completedAt.AddSeconds(-1), CompletedAt = completedAt,
        Status = ExecutionStatus.Succeeded, TriggeredBy = TriggerSource.Manual, RetryCount = 0,
    };

    private static Activity Read(DateTimeOffset now, params ExecutionSummary[] ended) => new() { Now = now, Active = [], Ended = ended };

    [Fact]
    public void TheFirstReadAsksForTheLatestEnds_AndEveryLaterReadLooksBackFromThePreviousReadsClock()
    {
        var cursor = new ActivityCursor();
        Assert.Null(cursor.EndedSince);

        cursor.Advance(Read(T0));

        Assert.Equal(T0 - ActivityCursor.LookBack, cursor.EndedSince);
    }

    [Fact]
    public void AnEndReturnedByOverlappingReadsIsSentOnce_IncludingOneThatEndedBeforeThePreviousRead()
    {
        var cursor = new ActivityCursor();
        var early = Ended(Guid.NewGuid(), T0.AddSeconds(-0.5));
        var late = Ended(Guid.NewGuid(), T0.AddSeconds(-2)); // committed after the read at T0

        Assert.Equal([early.Id], cursor.Advance(Read(T0, early)).Ended.Select(x => x.Id));
        Assert.Equal([late.Id], cursor.Advance(Read(T0.AddSeconds(1), early, late)).Ended.Select(x => x.Id));
        Assert.Empty(cursor.Advance(Read(T0.AddSeconds(2), early, late)).Ended);
    }

    [Fact]
    public void EndsOlderThanTheLookBackAreForgotten_SoTheCursorHoldsAWindowNotHistory()
    {
        var cursor = new ActivityCursor();
        var old = Ended(Guid.NewGuid(), T0);
        cursor.Advance(Read(T0, old));

        // Past the window the store no longer returns it for the cursor's bound; were it returned (a clock far behind), it is new again.
        var later = T0 + ActivityCursor.LookBack + TimeSpan.FromSeconds(1);
        cursor.Advance(Read(later));

        Assert.True(cursor.EndedSince > old.CompletedAt);
        Assert.Equal([old.Id], cursor.Advance(Read(later.AddSeconds(1), old)).Ended.Select(x => x.Id));
    }
}
