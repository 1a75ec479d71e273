using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// Check-ins and the fence of a dead silo (0008_silo_check_in.sql): once fenced, a silo's check-ins are refused, its claims
/// past its last check-in plus the start window are handed over, and nothing it still holds by id (a release, the end of an
/// unanswered claim, a claim asked again) reaches a row handed over. Instants are real ones: the window is judged against the
/// store's clock.
/// </summary>
public abstract partial class JobStoreContractTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>A silo the store sees as alive (PostgreSQL: a membership row with status Active); its lease owner name.</summary>
    protected virtual Task<string> LiveSiloAsync() => Task.FromResult("silo-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The membership declares <paramref name="silo"/> dead (the in-memory store has no membership: a no-op).</summary>
    protected virtual Task DeclareDeadAsync(string silo) => Task.CompletedTask;

    private static ExecutionClaim ClaimBy(JobRecord job, string owner, DateTimeOffset scheduledFor) => new()
    {
        ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = OccurrenceKeysFor(scheduledFor), ScheduledFor = scheduledFor,
        StartedAt = null, TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = owner, LeaseDuration = TimeSpan.FromMinutes(5),
        AdvancesSchedule = true,
    };

    private static string OccurrenceKeysFor(DateTimeOffset at) => Grains.Scheduling.OccurrenceKeys.Scheduled(at);

    [Fact]
    public async Task CheckIn_IsAcceptedAtTheStoresTime_UntilTheSiloIsFenced_ThenNeverAgain()
    {
        var silo = await LiveSiloAsync();
        var before = DateTimeOffset.UtcNow;
        var first = await Store.CheckInAsync(silo, CancellationToken.None);
        Assert.NotNull(first);
        Assert.InRange(first.Value, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        await Task.Delay(10);
        Assert.True(await Store.CheckInAsync(silo, CancellationToken.None) > first, "a later check-in moves lastSeen");

        await DeclareDeadAsync(silo);
        var fence = await Store.FenceDeadSiloAsync(silo, Window, "dead", CancellationToken.None);

        Assert.NotNull(fence);
        Assert.True(fence.LastCheckIn >= first, $"the fence reads the last accepted check-in: {fence.LastCheckIn:O}");
        Assert.Null(await Store.CheckInAsync(silo, CancellationToken.None));
        // Fencing again (every survivor tries) changes nothing and reads the same last check-in.
        Assert.Equal(fence.LastCheckIn, (await Store.FenceDeadSiloAsync(silo, Window, "dead", CancellationToken.None))!.LastCheckIn);
    }

    [Fact]
    public async Task Fence_HandsOverOnlyClaimsPastTheLastCheckInPlusTheWindow_AndLeavesStartedRunsAndOtherSilos()
    {
        var job = await SeedAsync(Slug());
        var dead = await LiveSiloAsync();
        var other = await LiveSiloAsync();
        var seen = (await Store.CheckInAsync(dead, CancellationToken.None))!.Value;
        // Inside the window: the dead silo may have started it (its start is written only if the run lasts).
        var maybeStarted = ClaimBy(job, dead, seen + Window - TimeSpan.FromMilliseconds(100));
        // Past it: the silo could not start it without a later check-in.
        var neverStarted = ClaimBy(job, dead, seen + Window + TimeSpan.FromMilliseconds(100));
        var running = ClaimBy(job, dead, seen + TimeSpan.FromSeconds(10)) with { StartedAt = seen + TimeSpan.FromSeconds(10) };
        var others = ClaimBy(job, other, seen + TimeSpan.FromSeconds(20));
        Assert.Equal(4, (await Store.TryClaimManyAsync([maybeStarted, neverStarted, running, others], CancellationToken.None)).Count);

        await DeclareDeadAsync(dead);
        var fence = (await Store.FenceDeadSiloAsync(dead, Window, "handed over: dead", CancellationToken.None))!;

        Assert.Equal(1, fence.HandedOver);
        Assert.Equal([job.Slug], fence.Jobs);
        var handed = (await Store.GetExecutionAsync(neverStarted.ExecutionId, CancellationToken.None))!;
        Assert.Equal((ExecutionStatus.Claimed, (string?)null, "handed over: dead"), (handed.Status, handed.LeaseOwner, handed.StatusReason));
        Assert.Equal(dead, (await Store.GetExecutionAsync(maybeStarted.ExecutionId, CancellationToken.None))!.LeaseOwner);
        Assert.Equal((ExecutionStatus.Running, dead), await StatusAndOwner(running.ExecutionId));
        Assert.Equal((ExecutionStatus.Claimed, other), await StatusAndOwner(others.ExecutionId));

        // The job's next load (on a survivor) takes the handed-over claim over, under the same id.
        var taken = Assert.Single((await Store.LoadJobAsync(job.Slug, other, TimeSpan.FromSeconds(30), CancellationToken.None)).TakenOver);
        Assert.Equal((neverStarted.ExecutionId, other), (taken.Id, taken.LeaseOwner));
    }

    [Fact]
    public async Task Fence_OfASiloThatNeverCheckedIn_HandsOverAllItsClaims_AndItsFirstCheckInIsRefused()
    {
        var job = await SeedAsync(Slug());
        var dead = await LiveSiloAsync();
        var claim = ClaimBy(job, dead, DateTimeOffset.UtcNow);
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));

        await DeclareDeadAsync(dead);
        var fence = (await Store.FenceDeadSiloAsync(dead, Window, "dead", CancellationToken.None))!;

        Assert.Equal(((DateTimeOffset?)null, 1), (fence.LastCheckIn, fence.HandedOver));
        Assert.Null(await Store.CheckInAsync(dead, CancellationToken.None));
    }

    [Fact]
    public async Task AFencedSilo_CanNeitherClaimNorRecord_NorReachTheRowsHandedOverFromIt()
    {
        var job = await SeedAsync(Slug());
        var dead = await LiveSiloAsync();
        var survivor = await LiveSiloAsync();
        var seen = (await Store.CheckInAsync(dead, CancellationToken.None))!.Value;
        var ahead = ClaimBy(job, dead, seen + TimeSpan.FromSeconds(5));
        Assert.True(await Store.TryClaimAsync(ahead, CancellationToken.None));
        await DeclareDeadAsync(dead);
        await Store.FenceDeadSiloAsync(dead, Window, "dead", CancellationToken.None);
        Assert.Single((await Store.LoadJobAsync(job.Slug, survivor, TimeSpan.FromSeconds(30), CancellationToken.None)).TakenOver);

        // It does not know yet: its writes that would move the schedule are refused as if the store were down...
        await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.TryClaimAsync(ClaimBy(job, dead, seen + TimeSpan.FromSeconds(6)), CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.TryClaimAsync(ahead, CancellationToken.None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.RecordUnrunAsync([new UnrunOccurrence
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = OccurrenceKeysFor(seen + TimeSpan.FromSeconds(7)),
            ScheduledFor = seen + TimeSpan.FromSeconds(7), Status = ExecutionStatus.Skipped, Reason = "overlap", RecordedAt = seen, RecordedBy = dead,
        }], CancellationToken.None));
        // ...and what it still holds by id is no longer its own: neither its release nor the end of its claim touches the row.
        Assert.Equal(ClaimRelease.NotClaimed, await Store.ReleaseClaimAsync(ahead.ExecutionId, dead, "deactivating", withdraw: false, CancellationToken.None));
        Assert.False(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = ahead.ExecutionId, Status = ExecutionStatus.Skipped, CompletedAt = seen, StatusReason = "not run: its activation ended", HeldBy = dead,
        }, CancellationToken.None));

        Assert.Equal((ExecutionStatus.Claimed, survivor), await StatusAndOwner(ahead.ExecutionId));
        Assert.Equal(seen + TimeSpan.FromSeconds(5), (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
        Assert.Single(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
    }

    private async Task<(ExecutionStatus, string?)> StatusAndOwner(Guid id) =>
        (await Store.GetExecutionAsync(id, CancellationToken.None)) is { } row ? (row.Status, row.LeaseOwner) : throw new InvalidOperationException($"no row {id}");
}
