using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

[Trait("Category", "Cluster")]
public sealed class DefinitionSyncTests
{
    [Fact]
    public async Task JobRemovedFromCode_IsOrphanedOnRestart_KeepsItsHistory_AndNeverRuns()
    {
        await using var c = await PostgresCluster.StartAsync(1);
        // A job that an older version of the code defined: it exists in cronJob with a run in its history.
        var ghost = new CronJobDefinition
        {
            Slug = "t-ghost", Name = "Ghost", Schedule = "* * * * * *", Factory = _ => throw new InvalidOperationException("no code"),
        };
        var current = TestJobs.Definitions().ToList();
        await c.Store.SyncDefinitionsAsync([.. current, ghost], DateTimeOffset.UtcNow, CancellationToken.None);
        var ghostRow = (await c.Store.GetJobAsync("t-ghost", CancellationToken.None))!;
        Assert.True(await c.Store.TryClaimAsync(new Grains.Storage.ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = ghostRow.Id, OccurrenceKey = "m:old", ScheduledFor = DateTimeOffset.UtcNow,
            StartedAt = DateTimeOffset.UtcNow, TriggeredBy = TriggerSource.Manual, RetryCount = 0, LeaseOwner = "old-silo",
            LeaseDuration = TimeSpan.FromMinutes(1), AdvancesSchedule = false,
        }, CancellationToken.None));

        // A restart of the cluster runs the start-up sync of the current code, which no longer has t-ghost.
        await c.Cluster.StopAllSilosAsync();
        c.Replace(await PostgresCluster.DeployAsync(c.ConnectionString, 1, "after-" + Guid.NewGuid().ToString("N")[..6], "totallator-tests"));

        var snapshot = await c.Job("t-ghost").GetSnapshotAsync();
        Assert.True(snapshot.IsOrphaned);
        Assert.Null(snapshot.NextFireAt);
        var refused = await c.Job("t-ghost").TriggerAsync(new TriggerRequest { UserId = "alice" });
        Assert.False(refused.Started);
        Assert.Contains("no longer defined", refused.RefusalReason, StringComparison.Ordinal);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var rows = await c.RowsAsync("t-ghost");
        var kept = Assert.Single(rows);   // its history is kept, and its every-second schedule did not fire
        Assert.Equal("m:old", kept.OccurrenceKey);
        Assert.False((await c.Store.GetJobAsync("t-fires", CancellationToken.None))!.IsOrphaned);
    }
}
