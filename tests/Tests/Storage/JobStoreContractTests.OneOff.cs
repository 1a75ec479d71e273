using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.OneOff;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>One-off runs (0010_one_off_runs.sql): one execution takes a pending one, a cancel and a take never both succeed.</summary>
public abstract partial class JobStoreContractTests
{
    // Every store here implements both (the batching decorator's inner store does).
    private IOneOffStore OneOffs => (IOneOffStore)Dependencies;

    private async Task<(JobRecord Job, OneOffRun Run)> AddOneOffAsync(DateTimeOffset runAt)
    {
        var job = await SeedAsync(Slug());
        var run = new OneOffRun
        {
            Id = Guid.CreateVersion7(), JobSlug = job.Slug, RunAt = runAt, TimeZone = "UTC", Note = "quarter end", CreatedAt = T0, CreatedBy = "alice",
        };
        await OneOffs.AddOneOffAsync(job.Id, run, AuditFor(job, "job.schedule-run"), CancellationToken.None);
        return (job, run);
    }

    private static AuditEntry AuditFor(JobRecord job, string action) =>
        new() { Id = Guid.CreateVersion7(), At = T0, Actor = "alice", Action = action, JobSlug = job.Slug };

    private static ExecutionClaim OneOffClaim(JobRecord job, OneOffRun run, string owner = "silo-a") => new()
    {
        ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "o:" + run.Id.ToString("N"), ScheduledFor = run.RunAt, StartedAt = null,
        TriggeredBy = TriggerSource.OneOff, TriggeredByUserId = run.CreatedBy, RetryCount = 0, LeaseOwner = owner, LeaseDuration = TimeSpan.FromMinutes(5),
        AdvancesSchedule = false, StatusReason = "one-off run scheduled by alice",
    };

    [Fact]
    public async Task OneOff_IsTakenByOneExecution_AskedAgainIsTheClaimantsOwn_AndThenCannotBeCancelled()
    {
        var (job, run) = await AddOneOffAsync(T0.AddHours(1));
        var pending = Assert.Single(await OneOffs.GetOneOffsAsync(job.Id, job.Slug, pendingOnly: true, 10, CancellationToken.None));
        Assert.Equal((run.Id, "pending", "quarter end", "alice"), (pending.Id, pending.State, pending.Note, pending.CreatedBy));
        Assert.Equal(run.RunAt, pending.RunAt);
        // An activation reads them with the job, in the same round trip.
        Assert.Equal(run.Id, Assert.Single((await Store.LoadJobAsync(job.Slug, "silo-a", TimeSpan.FromMinutes(1), CancellationToken.None)).OneOffs).Id);

        var first = OneOffClaim(job, run);
        Assert.True(await OneOffs.TakeOneOffAsync(run.Id, first, null, CancellationToken.None));
        Assert.True(await OneOffs.TakeOneOffAsync(run.Id, first, null, CancellationToken.None));
        Assert.False(await OneOffs.TakeOneOffAsync(run.Id, OneOffClaim(job, run), null, CancellationToken.None));

        var row = Assert.Single(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
        Assert.Equal((first.ExecutionId, ExecutionStatus.Claimed, TriggerSource.OneOff, "alice"), (row.Id, row.Status, row.TriggeredBy, row.TriggeredByUserId));
        Assert.Equal(run.RunAt, row.ScheduledFor);
        Assert.Empty(await OneOffs.GetOneOffsAsync(job.Id, job.Slug, pendingOnly: true, 10, CancellationToken.None));
        Assert.Equal(OneOffCancel.AlreadyTaken, await OneOffs.CancelOneOffAsync(job.Id, run.Id, "bob", T0, AuditFor(job, "job.cancel-run"), CancellationToken.None));
        Assert.Equal(first.ExecutionId, Assert.Single(await OneOffs.GetOneOffsAsync(job.Id, job.Slug, pendingOnly: false, 10, CancellationToken.None)).ExecutionId);
    }

    [Fact]
    public async Task OneOff_CancelledBeforeItsInstant_IsNeverTaken()
    {
        var (job, run) = await AddOneOffAsync(T0.AddHours(1));
        Assert.Equal(OneOffCancel.Cancelled, await OneOffs.CancelOneOffAsync(job.Id, run.Id, "bob", T0.AddMinutes(5), AuditFor(job, "job.cancel-run"), CancellationToken.None));
        Assert.Equal(OneOffCancel.AlreadyCancelled, await OneOffs.CancelOneOffAsync(job.Id, run.Id, "bob", T0, AuditFor(job, "job.cancel-run"), CancellationToken.None));
        Assert.Equal(OneOffCancel.NotFound, await OneOffs.CancelOneOffAsync(job.Id, Guid.NewGuid(), "bob", T0, AuditFor(job, "job.cancel-run"), CancellationToken.None));
        Assert.False(await OneOffs.TakeOneOffAsync(run.Id, OneOffClaim(job, run), null, CancellationToken.None));

        Assert.Empty(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
        var cancelled = Assert.Single(await OneOffs.GetOneOffsAsync(job.Id, job.Slug, pendingOnly: false, 10, CancellationToken.None));
        Assert.Equal(("cancelled", "bob", T0.AddMinutes(5)), (cancelled.State, cancelled.CancelledBy, cancelled.CancelledAt!.Value));
    }

    [Fact]
    public async Task OneOff_RecordedNotRun_KeepsTheReason_AndIsTaken()
    {
        var (job, run) = await AddOneOffAsync(T0.AddHours(1));
        var claim = OneOffClaim(job, run) with { StatusReason = "missed: due 120 s ago" };
        Assert.True(await OneOffs.TakeOneOffAsync(run.Id, claim, ExecutionStatus.Missed, CancellationToken.None));
        var row = Assert.Single(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
        Assert.Equal((ExecutionStatus.Missed, "missed: due 120 s ago"), (row.Status, row.StatusReason));
        Assert.NotNull(row.CompletedAt);
        Assert.Null(row.StartedAt);
    }

    [Fact]
    public async Task OneOff_TakeByASiloDeclaredDead_IsRefusedAsAStoreFailure()
    {
        var (job, run) = await AddOneOffAsync(T0.AddHours(1));
        var silo = await LiveSiloAsync();
        await Store.CheckInAsync(silo, CancellationToken.None);
        await DeclareDeadAsync(silo);
        await Store.FenceDeadSiloAsync(silo, Window, "dead", CancellationToken.None);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => OneOffs.TakeOneOffAsync(run.Id, OneOffClaim(job, run, silo), null, CancellationToken.None));
        Assert.Single(await OneOffs.GetOneOffsAsync(job.Id, job.Slug, pendingOnly: true, 10, CancellationToken.None));
    }
}
