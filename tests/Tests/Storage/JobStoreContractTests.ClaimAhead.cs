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
    public async Task ReleaseClaim_RemovesTheClaim_AndPutsTheScheduleBack_SoTheOccurrenceCanBeClaimedAgain()
    {
        var job = await SeedAsync(Slug());
        var before = job.LastScheduledFor;
        var claim = AheadClaim(job, "s:released");
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));

        Assert.True(await Store.ReleaseClaimAsync(claim.ExecutionId, before, CancellationToken.None));
        Assert.False(await Store.ReleaseClaimAsync(claim.ExecutionId, before, CancellationToken.None), "released once");

        Assert.Null(await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None));
        Assert.Equal(before, (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
        Assert.True(await Store.TryClaimAsync(Claim(job, "s:released"), CancellationToken.None), "a released occurrence is free again");
    }

    [Fact]
    public async Task ReleaseClaim_LeavesRunningRows_AndASchedulePositionSomethingElseMoved()
    {
        var job = await SeedAsync(Slug());
        var started = AheadClaim(job, "s:started");
        Assert.True(await Store.TryClaimAsync(started, CancellationToken.None));
        Assert.True(await MarkStartedAsync(started.ExecutionId, T0.AddMinutes(1)));
        Assert.False(await Store.ReleaseClaimAsync(started.ExecutionId, T0, CancellationToken.None), "a started run is not a claim any more");
        Assert.Equal(ExecutionStatus.Running, (await Store.GetExecutionAsync(started.ExecutionId, CancellationToken.None))!.Status);

        var ahead = AheadClaim(job, "s:later") with { ScheduledFor = T0.AddMinutes(2) };
        Assert.True(await Store.TryClaimAsync(ahead, CancellationToken.None));
        // An admin reset the schedule position meanwhile (a new schedule starts from now): the release must not undo that.
        await Store.UpdateJobAsync(job.Slug, new JobUpdate { Schedule = "0 * * * * *", ChangedBy = "alice", ResetLastScheduledFor = T0.AddMinutes(3) },
            T0.AddMinutes(3), CancellationToken.None);
        Assert.True(await Store.ReleaseClaimAsync(ahead.ExecutionId, T0, CancellationToken.None));
        Assert.Equal(T0.AddMinutes(3), (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
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
        Assert.Contains("before it started the run", row.ErrorMessage, StringComparison.Ordinal);
        Assert.False(await Store.ReleaseClaimAsync(claim.ExecutionId, T0, CancellationToken.None), "an abandoned row stays in the history");
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

        var pending = AheadClaim(job, "s:pending");
        Assert.True(await Store.TryClaimAsync(pending, CancellationToken.None));
        await Store.DeleteExecutionsBeforeAsync(DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        Assert.NotNull(await Store.GetExecutionAsync(pending.ExecutionId, CancellationToken.None));
    }
}
