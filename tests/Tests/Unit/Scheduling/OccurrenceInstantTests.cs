using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Scheduling;

/// <summary>
/// Since 0015 the fence is UNIQUE (job, occurrenceKey, retryCount, scheduledFor): it refuses a second claimant only if every
/// attempt of an occurrence carries one instant. These pin that down for the key kinds the planner and the retries produce;
/// docs/ledger.md ("Partitions") has the proof for every kind, and the dependency contract test the one kind whose instant
/// is the claimant's clock.
/// </summary>
[Trait("Category", "Unit")]
public sealed class OccurrenceInstantTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ScheduledKey_NamesExactlyItsInstant_AndTwoInstantsNeverShareAKey()
    {
        var instants = new[] { T0, T0.AddSeconds(1), T0.AddMilliseconds(1), new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero), T0.ToOffset(TimeSpan.FromHours(5)).AddDays(400) };
        foreach (var at in instants)
        {
            Assert.Equal(at, OccurrenceKeys.ScheduledInstant(OccurrenceKeys.Scheduled(at)));
        }
        Assert.Equal(instants.Length, instants.Select(OccurrenceKeys.Scheduled).Distinct().Count());
        Assert.Equal(T0.AddSeconds(4), OccurrenceKeys.ScheduledInstant(OccurrenceKeys.Summary(T0, T0.AddSeconds(4))));
        Assert.Null(OccurrenceKeys.ScheduledInstant(OccurrenceKeys.Manual(Guid.NewGuid())));
    }

    [Fact]
    public void Retry_KeepsTheOccurrenceAndItsInstant()
    {
        var first = new ExecutionClaim
        {
            ExecutionId = Guid.NewGuid(), CronJobId = Guid.NewGuid(), OccurrenceKey = OccurrenceKeys.Manual(Guid.NewGuid()), ScheduledFor = T0,
            StartedAt = T0, TriggeredBy = TriggerSource.Manual, RetryCount = 0, LeaseOwner = "silo", LeaseDuration = TimeSpan.FromMinutes(1),
            AdvancesSchedule = false,
        };
        var second = Retries.NextAttempt(Retries.NextAttempt(first, Guid.NewGuid(), 3, TimeSpan.FromSeconds(1)), Guid.NewGuid(), 3, TimeSpan.FromSeconds(2));

        Assert.Equal((first.OccurrenceKey, first.ScheduledFor, 2), (second.OccurrenceKey, second.ScheduledFor, second.RetryCount));
    }
}
