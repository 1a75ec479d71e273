using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// Claim ahead (Cron:Scheduler:ClaimAhead, 2 s by default): the next occurrence is claimed before its instant and only started
/// at it; a claim that must no longer run is released. Asserted from the rows in cronJobExecution.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ClaimAheadTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private Task<JobSnapshot> EnableAsync(string slug, bool enabled = true) => _c.EnableAsync(slug, enabled);

    [Fact]
    public async Task NextOccurrenceIsClaimedBeforeItsInstant_AndStartsAtTheInstant_Once()
    {
        const string slug = "t-ahead";
        await EnableAsync(slug);
        var rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Claimed), Wait, "a claim ahead");
        var seenAt = DateTimeOffset.UtcNow;
        var claimed = rows.First(x => x.Status == ExecutionStatus.Claimed);
        Assert.Null(claimed.StartedAt);
        Assert.Equal(TriggerSource.Scheduler, claimed.TriggeredBy);
        Assert.NotNull(claimed.LeaseExpiresAt);
        Assert.True(claimed.ScheduledFor > seenAt.AddMilliseconds(-300), $"claimed {claimed.ScheduledFor:O}, seen at {seenAt:O}: a claim ahead is for an instant still to come");

        rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Id == claimed.Id && x.Status == ExecutionStatus.Succeeded), Wait, "the claimed occurrence ran");
        await EnableAsync(slug, false);
        var ran = rows.Single(x => x.Id == claimed.Id);
        Assert.True(ran.StartedAt >= ran.ScheduledFor, $"started {ran.StartedAt:O} before its instant {ran.ScheduledFor:O}");
        Assert.True(ran.StartedAt - ran.ScheduledFor < TimeSpan.FromMilliseconds(500), $"started {(ran.StartedAt - ran.ScheduledFor)!.Value.TotalMilliseconds} ms late");
        Assert.Single(rows, x => x.OccurrenceKey == claimed.OccurrenceKey);
        Assert.Single(TestJobs.InvocationsOf(slug), i => i.OccurrenceKey == claimed.OccurrenceKey);
    }

    [Fact]
    public async Task DisablingWhileAnOccurrenceIsClaimedAhead_ReleasesIt_ItNeverRuns_AndNothingIsRecordedForIt()
    {
        const string slug = "t-ahead-release";
        await EnableAsync(slug);
        // Every 5 s, claimed 2 s ahead: wait for a claim with more than a second left, so the disable lands before its instant.
        var rows = await _c.WaitForRowsAsync(slug,
            r => r.Any(x => x.Status == ExecutionStatus.Claimed && x.ScheduledFor - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(1)), Wait, "a claim ahead");
        var claimed = rows.First(x => x.Status == ExecutionStatus.Claimed);
        var lastBefore = rows.Where(x => x.Id != claimed.Id).Select(x => (DateTimeOffset?)x.ScheduledFor).Max();

        var snapshot = await EnableAsync(slug, false);
        Assert.False(snapshot.IsEnabled);
        Assert.Null(await _c.Store.GetExecutionAsync(claimed.Id, CancellationToken.None));
        var job = (await _c.Store.GetJobAsync(slug, CancellationToken.None))!;
        Assert.True(job.LastScheduledFor < claimed.ScheduledFor, $"lastScheduledFor {job.LastScheduledFor:O} must go back before the released {claimed.ScheduledFor:O}");
        if (lastBefore is { } last)
        {
            Assert.True(job.LastScheduledFor >= last, $"lastScheduledFor {job.LastScheduledFor:O} must keep the occurrence handled before ({last:O})");
        }

        // Past the released instant: no row and no run for it.
        await Task.Delay(claimed.ScheduledFor - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
        rows = await _c.RowsAsync(slug);
        Assert.DoesNotContain(rows, x => x.ScheduledFor >= claimed.ScheduledFor);
        Assert.DoesNotContain(TestJobs.InvocationsOf(slug), i => i.OccurrenceKey == claimed.OccurrenceKey);
    }

    [Fact]
    public async Task ARunThatLasts_IsRecordedRunningWhileItRuns_WithItsRealStart()
    {
        const string slug = "t-ahead-long";
        TestJobs.Set(slug, async ctx =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3), ctx.CancellationToken);
            return CronJobResult.Succeeded("long enough to be seen running");
        });
        await EnableAsync(slug);
        var rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Running), Wait, "recorded running");
        var running = rows.First(x => x.Status == ExecutionStatus.Running);
        Assert.NotNull(running.StartedAt);
        Assert.True(running.StartedAt >= running.ScheduledFor, $"started {running.StartedAt:O} before its instant {running.ScheduledFor:O}");

        rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Id == running.Id && x.Status == ExecutionStatus.Succeeded), Wait, "the run ended");
        await EnableAsync(slug, false);
        var ended = rows.Single(x => x.Id == running.Id);
        Assert.Equal(running.StartedAt, ended.StartedAt);
        Assert.InRange(ended.DurationMs!.Value, 2900, 4500);
    }
}
