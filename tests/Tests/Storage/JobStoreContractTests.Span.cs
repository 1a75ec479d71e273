using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// Writes that name rows by id carry the rows' instants (ScheduledSpan), so PostgreSQL reads only their history partitions.
/// The span is a promise: a row inside it is written as before, one outside it is not touched (both stores, so the
/// simulation would catch a writer naming the wrong instant).
/// </summary>
public abstract partial class JobStoreContractTests
{
    [Fact]
    public async Task RowsNamedWithTheirInstant_AreWritten_AndRowsOutsideTheSpanAreLeftAlone()
    {
        var job = await SeedAsync(Slug());
        var ahead = Claim(job, "s:span-ahead") with { StartedAt = null };
        var running = Claim(job, "s:span-running", lease: TimeSpan.FromSeconds(30));
        var released = Claim(job, "s:span-released") with { StartedAt = null };
        foreach (var claim in new[] { ahead, running, released })
        {
            Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        }
        var elsewhere = ahead.ScheduledFor.AddDays(3);

        // Outside the span: nothing changes.
        Assert.Empty(await Store.MarkStartedManyAsync([new ExecutionStart(ahead.ExecutionId, T0.AddMinutes(1), TimeSpan.FromMinutes(5), elsewhere)], CancellationToken.None));
        Assert.False(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = running.ExecutionId, ScheduledFor = elsewhere, Status = ExecutionStatus.Succeeded, CompletedAt = T0.AddMinutes(2),
        }, CancellationToken.None));
        Assert.Equal(ClaimRelease.NotClaimed, await Store.ReleaseClaimAsync(released.ExecutionId, released.LeaseOwner, "idle", withdraw: false,
            CancellationToken.None, elsewhere));
        var leaseBefore = (await Store.GetExecutionAsync(running.ExecutionId, CancellationToken.None))!.LeaseExpiresAt;
        await Store.RenewLeasesAsync([running.ExecutionId], TimeSpan.FromHours(1), CancellationToken.None, new ScheduledSpan(elsewhere, elsewhere.AddDays(1)));
        Assert.Equal(ExecutionStatus.Claimed, (await Store.GetExecutionAsync(ahead.ExecutionId, CancellationToken.None))!.Status);
        var stillRunning = (await Store.GetExecutionAsync(running.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Running, stillRunning.Status);
        Assert.Equal(leaseBefore, stillRunning.LeaseExpiresAt);
        Assert.Equal("silo-a", (await Store.GetExecutionAsync(released.ExecutionId, CancellationToken.None))!.LeaseOwner);

        // Inside it: written as without one.
        var at = ahead.ScheduledFor;
        Assert.Contains(ahead.ExecutionId, await Store.MarkStartedManyAsync([new ExecutionStart(ahead.ExecutionId, T0.AddMinutes(1), TimeSpan.FromMinutes(5), at)], CancellationToken.None));
        await Store.RenewLeasesAsync([running.ExecutionId], TimeSpan.FromHours(1), CancellationToken.None, ScheduledSpan.Of([at]));
        Assert.True((await Store.GetExecutionAsync(running.ExecutionId, CancellationToken.None))!.LeaseExpiresAt > leaseBefore);
        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = running.ExecutionId, ScheduledFor = at, Status = ExecutionStatus.Succeeded, CompletedAt = T0.AddMinutes(2),
        }, CancellationToken.None));
        Assert.Equal(ClaimRelease.HandedOver, await Store.ReleaseClaimAsync(released.ExecutionId, released.LeaseOwner, "idle", withdraw: false,
            CancellationToken.None, at));
    }
}
