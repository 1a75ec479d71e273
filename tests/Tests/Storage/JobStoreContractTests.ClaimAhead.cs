using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>Claims taken ahead of their instant: claimed, then running or released; swept like running rows.</summary>
public abstract partial class JobStoreContractTests
{
    private async Task<bool> MarkStartedAsync(Guid executionId, DateTimeOffset startedAt) =>
        (await Store.MarkStartedManyAsync([new ExecutionStart(executionId, startedAt, TimeSpan.FromMinutes(5))], CancellationToken.None)).Contains(executionId);

    private static ExecutionClaim AheadClaim(JobRecord job, string key, TimeSpan? lease = null) =>
        Claim(job, key, lease: lease) with { StartedAt = null };

    [Fact]
    public async Task ClaimAhead_IsClaimedWithoutStart_ThenRunningWhenStarted()
    {
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:ahead");
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        Assert.False(await Store.TryClaimAsync(Claim(job, "s:ahead"), CancellationToken.None), "the claim ahead holds the fence");
        var claimed = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Claimed, claimed.Status);
        Assert.Null(claimed.StartedAt);
        Assert.Equal(claim.ScheduledFor, (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);

        var startedAt = T0.AddMinutes(1).AddMilliseconds(3);
        Assert.True(await MarkStartedAsync(claim.ExecutionId, startedAt));
        Assert.False(await MarkStartedAsync(claim.ExecutionId, startedAt.AddSeconds(1)),
            "a row starts once");
        var running = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Running, running.Status);
        Assert.Equal(startedAt, running.StartedAt);
    }

    [Fact]
    public async Task ClaimAhead_CompletedBeforeItsStartWriteLanded_KeepsTheStartTimeOfTheCompletion()
    {
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:quick");
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        var startedAt = T0.AddMinutes(1).AddMilliseconds(2);
        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Succeeded, StartedAt = startedAt, CompletedAt = startedAt.AddMilliseconds(5), DurationMs = 5,
        }, CancellationToken.None));
        Assert.False(await MarkStartedAsync(claim.ExecutionId, startedAt),
            "a late start write must not reopen a finished row");

        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Succeeded, row.Status);
        Assert.Equal(startedAt, row.StartedAt);
        Assert.Equal(5, row.DurationMs);
    }

    [Fact]
    public async Task ClaimAhead_EndedWithoutRunning_HasNoStartAndNoDuration()
    {
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:overlap");
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Skipped, CompletedAt = T0.AddMinutes(1), StatusReason = "overlap: x",
        }, CancellationToken.None));

        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Skipped, row.Status);
        Assert.Null(row.StartedAt);
        Assert.Null(row.DurationMs);
        Assert.Equal("overlap: x", row.StatusReason);
    }

    [Fact]
    public async Task ReleaseClaim_WithdrawsAnOccurrenceNoLongerTheJobs_SoItCanBeClaimedAgain()
    {
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:released") with { ScheduledFor = T0.AddMinutes(2) };
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        // Disabled (which also resets the schedule position): nothing will plan the occurrence again.
        await Store.UpdateJobAsync(job.Slug, new JobUpdate { IsEnabled = false, ChangedBy = "alice", ResetLastScheduledFor = T0.AddMinutes(1) },
            T0.AddMinutes(1), CancellationToken.None);

        Assert.Equal(ClaimRelease.Removed, await Store.ReleaseClaimAsync(claim.ExecutionId, claim.LeaseOwner, "the job was disabled", withdraw: true, CancellationToken.None));
        Assert.Equal(ClaimRelease.NotClaimed, await Store.ReleaseClaimAsync(claim.ExecutionId, claim.LeaseOwner, "again", withdraw: true, CancellationToken.None));

        Assert.Null(await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None));
        Assert.Equal(T0.AddMinutes(1), (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
        Assert.True(await Store.TryClaimAsync(Claim(job, "s:released"), CancellationToken.None), "a removed occurrence is free again");
    }

    [Fact]
    public async Task ReleaseClaim_HandsTheClaimOver_WhenTheScheduleWasPlannedThroughIt_AndTheJobsNextLoadTakesItOnce()
    {
        // Another activation may have planned past the occurrence: removing it would leave it neither run nor recorded.
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:handed") with { ScheduledFor = T0.AddMinutes(2) };
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));

        Assert.Equal(ClaimRelease.HandedOver, await Store.ReleaseClaimAsync(claim.ExecutionId, claim.LeaseOwner, "deactivating: idle", withdraw: false, CancellationToken.None));
        var kept = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal((ExecutionStatus.Claimed, (string?)null, "deactivating: idle"), (kept.Status, kept.LeaseOwner, kept.StatusReason));
        Assert.Equal(T0.AddMinutes(2), (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);

        var load = await Store.LoadJobAsync(job.Slug, "silo-b", TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(job.Id, load.Job!.Id);
        var taken = Assert.Single(load.TakenOver);
        Assert.Equal((claim.ExecutionId, "silo-b", ExecutionStatus.Claimed), (taken.Id, taken.LeaseOwner, taken.Status));
        Assert.Empty((await Store.LoadJobAsync(job.Slug, "silo-c", TimeSpan.FromSeconds(30), CancellationToken.None)).TakenOver);
        Assert.Equal("silo-b", (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!.LeaseOwner);
    }

    [Fact]
    public async Task AHandedOverClaim_GoesToTheNextClaimOfItsOccurrence_UnderThatClaimsId()
    {
        // E.g. a reschedule reset the position before it and the new schedule fires at that instant too: the activation that
        // plans it again must get it, not lose to a row nobody runs.
        var job = await SeedAsync(Slug());
        var first = AheadClaim(job, "s:again") with { ScheduledFor = T0.AddMinutes(2) };
        Assert.True(await Store.TryClaimAsync(first, CancellationToken.None));
        Assert.Equal(ClaimRelease.HandedOver, await Store.ReleaseClaimAsync(first.ExecutionId, first.LeaseOwner, "the schedule changed", withdraw: false, CancellationToken.None));

        var second = AheadClaim(job, "s:again") with { ScheduledFor = T0.AddMinutes(2), LeaseOwner = "silo-b" };
        Assert.True(await Store.TryClaimAsync(second, CancellationToken.None));
        Assert.False(await Store.TryClaimAsync(AheadClaim(job, "s:again") with { ScheduledFor = T0.AddMinutes(2), LeaseOwner = "silo-c" }, CancellationToken.None), "taken once");

        Assert.Null(await Store.GetExecutionAsync(first.ExecutionId, CancellationToken.None));
        var row = (await Store.GetExecutionAsync(second.ExecutionId, CancellationToken.None))!;
        Assert.Equal((ExecutionStatus.Claimed, "silo-b"), (row.Status, row.LeaseOwner));
        Assert.Single(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseClaim_LeavesRunningRows()
    {
        var job = await SeedAsync(Slug());
        var started = AheadClaim(job, "s:started");
        Assert.True(await Store.TryClaimAsync(started, CancellationToken.None));
        Assert.True(await MarkStartedAsync(started.ExecutionId, T0.AddMinutes(1)));
        Assert.Equal(ClaimRelease.NotClaimed, await Store.ReleaseClaimAsync(started.ExecutionId, started.LeaseOwner, "stopping", withdraw: false, CancellationToken.None));
        Assert.Equal(ExecutionStatus.Running, (await Store.GetExecutionAsync(started.ExecutionId, CancellationToken.None))!.Status);
        Assert.Equal("silo-a", (await Store.GetExecutionAsync(started.ExecutionId, CancellationToken.None))!.LeaseOwner);
    }

    [Fact]
    public async Task AHandedOverClaimThatNobodyTakesOver_IsRecordedMissed_NotAbandoned()
    {
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:unclaimed", lease: TimeSpan.FromMilliseconds(300));
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        Assert.Equal(ClaimRelease.HandedOver, await Store.ReleaseClaimAsync(claim.ExecutionId, claim.LeaseOwner, "deactivating: idle", withdraw: false, CancellationToken.None));
        await Task.Delay(800);

        Assert.True(await Store.AbandonExpiredAsync(CancellationToken.None) >= 1);
        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Missed, row.Status);
        Assert.Null(row.StartedAt);
        Assert.Null(row.ErrorMessage);
        Assert.StartsWith("released, not taken over: deactivating: idle; no activation of the job took it over before ", row.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClaimAhead_WhoseLeaseExpired_IsAbandoned_SayingItNeverStarted()
    {
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:orphan", lease: TimeSpan.FromMilliseconds(300));
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        await Task.Delay(800);

        Assert.True(await Store.AbandonExpiredAsync(CancellationToken.None) >= 1);
        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Abandoned, row.Status);
        Assert.Null(row.StartedAt);
        Assert.Null(row.DurationMs);
        Assert.Contains("before its start was recorded", row.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(ClaimRelease.NotClaimed, await Store.ReleaseClaimAsync(claim.ExecutionId, claim.LeaseOwner, "late", withdraw: false, CancellationToken.None));
    }

    [Fact]
    public async Task RenewLeases_ExtendsClaimsAhead_AndCleanupKeepsThem()
    {
        var job = await SeedAsync(Slug());
        var claim = AheadClaim(job, "s:renewed", lease: TimeSpan.FromMilliseconds(300));
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        // A started run whose start is not recorded yet is still a claimed row: its lease must hold like a running one's.
        await Store.RenewLeasesAsync([claim.ExecutionId], TimeSpan.FromMinutes(5), CancellationToken.None);
        await Task.Delay(600);
        await Store.AbandonExpiredAsync(CancellationToken.None);
        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Claimed, row.Status);
        Assert.Null(row.StartedAt);

    }
}
