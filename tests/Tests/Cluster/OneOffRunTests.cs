using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>One-off runs on the shared 2-silo PostgreSQL cluster (issue 14): once at their instant, or never once cancelled.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class OneOffRunTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private IJobQueryGrain Query => _c.Client.GetGrain<IJobQueryGrain>(0);

    internal static OneOffRequest At(DateTimeOffset runAt, string zone = "Europe/Berlin") =>
        new() { RunAt = runAt, TimeZone = zone, Note = "quarter end", UserId = "oneoff-test", RequestId = "req-oneoff" };

    [Fact]
    public async Task AOneOffRun_RunsOnceAtItsInstant_SayingWhoScheduledIt()
    {
        const string slug = "t-oneoff-run";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("once")));
        await _c.EnableAsync(slug);
        var runAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var run = await Query.ScheduleRunAsync(slug, At(runAt));
        Assert.Equal(TimeSpan.FromHours(1), run.RunAt.Offset); // shown in its zone (Berlin in winter)
        Assert.Equal("pending", Assert.Single(await Query.GetOneOffsAsync(slug, all: false)).State);

        var rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "the one-off run");
        await Task.Delay(1500);
        var row = Assert.Single(await _c.RowsAsync(slug));
        Assert.Equal((TriggerSource.OneOff, "oneoff-test", "o:" + run.Id.ToString("N")), (row.TriggeredBy, row.TriggeredByUserId, row.OccurrenceKey));
        Assert.Equal(runAt, row.ScheduledFor, TimeSpan.FromMilliseconds(1));
        Assert.True(row.StartedAt >= runAt.AddMilliseconds(-50), $"started {row.StartedAt:O} before {runAt:O}");
        Assert.Contains("one-off run scheduled by oneoff-test", row.StatusReason, StringComparison.Ordinal);
        Assert.Contains("quarter end", row.StatusReason, StringComparison.Ordinal);
        Assert.Single(TestJobs.InvocationsOf(slug));
        Assert.Empty(await Query.GetOneOffsAsync(slug, all: false));
        Assert.Equal(row.Id, Assert.Single(await Query.GetOneOffsAsync(slug, all: true)).ExecutionId);
        Assert.Equal(OneOffCancel.AlreadyTaken, await Query.CancelOneOffAsync(slug, run.Id, "late-bob", null));
        var audit = await Query.GetAuditAsync(new AuditQuery { JobSlug = slug, Action = "job.schedule-run" });
        Assert.Equal((run.Id.ToString(), "req-oneoff"), (Assert.Single(audit.Items).Target, audit.Items[0].RequestId));
        Assert.True(rows.Count >= 1);
    }

    [Fact]
    public async Task ACancelledOneOffRun_NeverRuns_AndTheCancelIsAudited()
    {
        const string slug = "t-oneoff-cancel";
        await _c.EnableAsync(slug);
        var run = await Query.ScheduleRunAsync(slug, At(DateTimeOffset.UtcNow.AddSeconds(3)));
        Assert.Equal(OneOffCancel.Cancelled, await Query.CancelOneOffAsync(slug, run.Id, "bob", "req-cancel"));
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Empty(await _c.RowsAsync(slug));
        Assert.Empty(TestJobs.InvocationsOf(slug));
        var cancelled = Assert.Single(await Query.GetOneOffsAsync(slug, all: true));
        Assert.Equal(("cancelled", "bob"), (cancelled.State, cancelled.CancelledBy));
        Assert.Single((await Query.GetAuditAsync(new AuditQuery { JobSlug = slug, Action = "job.cancel-run" })).Items);
    }

    [Fact]
    public async Task AOneOffRunOfADisabledJob_IsRecordedSkipped_WithTheReason()
    {
        const string slug = "t-oneoff-disabled";
        var run = await Query.ScheduleRunAsync(slug, At(DateTimeOffset.UtcNow.AddSeconds(2), "UTC"));
        var rows = await _c.WaitForRowsAsync(slug, r => r.Count > 0, Wait, "the skipped one-off");
        var row = Assert.Single(rows);
        Assert.Equal(ExecutionStatus.Skipped, row.Status);
        Assert.StartsWith("not run: the job is disabled (one-off run scheduled by oneoff-test", row.StatusReason, StringComparison.Ordinal);
        Assert.Empty(TestJobs.InvocationsOf(slug));
        Assert.Equal(row.Id, Assert.Single(await Query.GetOneOffsAsync(slug, all: true)).ExecutionId);
        Assert.Equal(run.Id, (await Query.GetOneOffsAsync(slug, all: true))[0].Id);
    }

    [Theory]
    [InlineData("a time in the past", -5)]
    [InlineData("more than a year ahead", 400 * 24 * 3600)]
    public async Task AOneOffRunOutsideItsWindow_IsRefusedNamingAt_AndNothingIsStored(string why, int seconds)
    {
        const string slug = "t-oneoff-run";
        var before = (await Query.GetOneOffsAsync(slug, all: true)).Count;
        var refused = await Assert.ThrowsAsync<InvalidJobConfigurationException>(() => Query.ScheduleRunAsync(slug, At(DateTimeOffset.UtcNow.AddSeconds(seconds))));
        Assert.Equal("at", refused.Field);
        Assert.Equal(before, (await Query.GetOneOffsAsync(slug, all: true)).Count);
        Assert.NotNull(why);
    }
}
