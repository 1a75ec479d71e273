using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// A claim is idempotent by its execution id: when the store committed a claim but its reply was lost (connection dropped after
/// the commit), the claimant asks again with the same id and must learn the row is its own, not someone else's.
/// </summary>
public abstract partial class JobStoreContractTests
{
    [Fact]
    public async Task TryClaim_AgainWithTheSameExecutionId_IsAWin_AndMovesTheRowToWhatTheClaimSays()
    {
        var job = await SeedAsync(Slug());
        var ahead = AheadClaim(job, "s:lost-ahead", lease: TimeSpan.FromSeconds(5));
        Assert.True(await Store.TryClaimAsync(ahead, CancellationToken.None));

        // The same claim again (its first reply lost): still the claimant's.
        Assert.True(await Store.TryClaimAsync(ahead, CancellationToken.None), "the row is the claimant's own");
        Assert.Equal(ExecutionStatus.Claimed, (await Store.GetExecutionAsync(ahead.ExecutionId, CancellationToken.None))!.Status);

        // Asked again at the instant, with a start: the row is the same one, now running, with a fresh lease.
        var startedAt = ahead.ScheduledFor.AddMilliseconds(4);
        Assert.True(await Store.TryClaimAsync(ahead with { StartedAt = startedAt, LeaseDuration = TimeSpan.FromMinutes(5) }, CancellationToken.None));
        var row = (await Store.GetExecutionAsync(ahead.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Running, row.Status);
        Assert.Equal(startedAt, row.StartedAt);
        Assert.True(row.LeaseExpiresAt > DateTimeOffset.UtcNow.AddMinutes(1), $"lease renewed by the claim: {row.LeaseExpiresAt:O}");

        // Another claimant of the occurrence still loses, and there is one row.
        Assert.False(await Store.TryClaimAsync(Claim(job, "s:lost-ahead"), CancellationToken.None));
        Assert.Single(await Store.GetExecutionsAsync(job.Id, 100, CancellationToken.None), r => r.OccurrenceKey == "s:lost-ahead");
    }

    [Fact]
    public async Task TryClaim_AgainWithTheSameExecutionId_Loses_OnceTheRowHasEnded()
    {
        var job = await SeedAsync(Slug());
        var claim = Claim(job, "s:lost-ended");
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Abandoned, CompletedAt = T0.AddMinutes(2), StatusReason = "lease-expired",
        }, CancellationToken.None));

        // Too late: the row ended (its lease expired and it was judged abandoned); running it now would contradict the ledger.
        Assert.False(await Store.TryClaimAsync(claim, CancellationToken.None));
        Assert.Equal(ExecutionStatus.Abandoned, (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task TryClaimMany_WithClaimsWhoseRowsExist_WinsThoseStillActive_AmongNewOnes()
    {
        var job = await SeedAsync(Slug());
        var first = Enumerable.Range(0, 5).Select(i => Claim(job, $"s:lost-many-{i}")).ToList();
        Assert.Equal(5, (await Store.TryClaimManyAsync(first, CancellationToken.None)).Count);
        var others = Enumerable.Range(5, 5).Select(i => Claim(job, $"s:lost-many-{i}")).ToList();
        var rivals = first.Select(c => Claim(job, c.OccurrenceKey)).ToList();

        var won = await Store.TryClaimManyAsync([.. first, .. others, .. rivals], CancellationToken.None);

        Assert.Equal(first.Concat(others).Select(c => c.ExecutionId).ToHashSet(), won.ToHashSet());
    }

    [Fact]
    public async Task AClaimEndedWithoutRunning_LosesTheStartItsRowWasInsertedWith()
    {
        // A manual trigger's row is inserted running, with its start; if its answer was lost the run never started, and the
        // row's end as skipped must not say otherwise.
        var job = await SeedAsync(Slug());
        var claim = Claim(job, "m:lost-answer");
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));

        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Skipped, CompletedAt = T0.AddMinutes(2), StatusReason = "not run",
            HeldBy = claim.LeaseOwner,
        }, CancellationToken.None));

        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal((ExecutionStatus.Skipped, (DateTimeOffset?)null, (long?)null), (row.Status, row.StartedAt, row.DurationMs));
    }
}
