using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// One-off runs survive a whole-cluster stop: the cluster is down at their instant, and once it is back the job's misfire policy
/// decides (run_once runs it late, skip records it missed), each once; and a job an admin created from a job type comes back
/// with the cluster, neither orphaned by the start-up sync nor lost (issue 14).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class OneOffRestartTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(25);

    [Fact]
    public async Task OneOffRunsDueWhileTheClusterWasDown_FollowTheMisfirePolicy_Once()
    {
        await using var c = await PostgresCluster.StartAsync(1);
        TestJobs.Set("t-oneoff-late", _ => Task.FromResult(CronJobResult.Succeeded("late")));
        TestJobs.Set("t-oneoff-skip", _ => Task.FromResult(CronJobResult.Succeeded("never")));
        var query = c.Client.GetGrain<IJobQueryGrain>(0);
        foreach (var slug in new[] { "t-oneoff-late", "t-oneoff-skip" })
        {
            await c.EnableAsync(slug);
        }
        var runAt = DateTimeOffset.UtcNow.AddSeconds(3);
        var late = await query.ScheduleRunAsync("t-oneoff-late", OneOffRunTests.At(runAt));
        var skipped = await query.ScheduleRunAsync("t-oneoff-skip", OneOffRunTests.At(runAt));
        await query.CreateJobAsync("t-typed-restart", new JobCreation
        {
            Type = TestJobTypes.Name, Name = "Typed across a restart", Schedule = "*/2 * * * * *", TimeZone = "America/New_York",
            MisfirePolicy = MisfirePolicy.Skip, ParametersJson = """{"label":"back"}""", CreatedBy = "restart-test",
        });

        await c.Cluster.StopAllSilosAsync();
        await Task.Delay(runAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(3));
        c.Replace(await PostgresCluster.DeployAsync(c.ConnectionString, 1, "oneoff-" + Guid.NewGuid().ToString("N")[..6], "totallator-tests"));

        var ran = Assert.Single(await c.WaitForRowsAsync("t-oneoff-late", r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "the late one-off"));
        Assert.Equal((TriggerSource.OneOff, "o:" + late.Id.ToString("N")), (ran.TriggeredBy, ran.OccurrenceKey));
        Assert.Matches(@"; ran \d+(\.\d)? s late$", ran.StatusReason);
        var missed = Assert.Single(await c.WaitForRowsAsync("t-oneoff-skip", r => r.Count > 0, Wait, "the missed one-off"));
        Assert.Equal(ExecutionStatus.Missed, missed.Status);
        Assert.StartsWith("missed: due ", missed.StatusReason, StringComparison.Ordinal);
        Assert.Equal("o:" + skipped.Id.ToString("N"), missed.OccurrenceKey);
        var stopped = DateTimeOffset.UtcNow;
        var typed = await c.WaitForRowsAsync("t-typed-restart", r => r.Any(x => x.Status == ExecutionStatus.Succeeded && x.ScheduledFor > stopped), Wait,
            "the typed job after the restart");
        Assert.All(typed.Where(x => x.Status == ExecutionStatus.Succeeded), x => Assert.Equal("back", x.Output));
        var view = await c.Client.GetGrain<IJobQueryGrain>(0).GetJobAsync("t-typed-restart"); // the new cluster's client
        Assert.Equal(("api", false, true), (view.Source, view.IsOrphaned, view.IsEnabled));
        await Task.Delay(1500);
        Assert.Single(await c.RowsAsync("t-oneoff-late"));
        Assert.Single(await c.RowsAsync("t-oneoff-skip"));
    }
}
