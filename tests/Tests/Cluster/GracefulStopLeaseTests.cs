using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// A graceful stop keeps renewing the leases of the runs it waits for. Before the fix the lease renewal was a hosted service,
/// which the host stops before Orleans' silo service: the drain ran without renewals, a survivor swept the still-running row
/// as abandoned, and the run's own end was then refused.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class GracefulStopLeaseTests
{
    private const string Slug = "t-stop-renew";
    /// <summary>How long the run goes on once the stop began: more than the 4-s test lease plus a 1-s sweep, within the grace below.</summary>
    private static readonly TimeSpan RunAfterStop = TimeSpan.FromSeconds(7);

    [Fact]
    public async Task ARunThatOutlivesItsLeaseDuringAGracefulStop_EndsSucceeded_NotAbandoned()
    {
        var settings = PostgresCluster.DefaultTimings();
        settings["Cron:Scheduler:ShutdownGracePeriod"] = "00:00:15";
        await using var c = await PostgresCluster.StartAsync(2, settings);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopBegan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestJobs.Set(Slug, async ctx =>
        {
            started.TrySetResult();
            await stopBegan.Task.WaitAsync(ctx.CancellationToken);
            await Task.Delay(RunAfterStop, ctx.CancellationToken);
            return CronJobResult.Succeeded("outlived its lease");
        });
        await c.Job(Slug).UpdateConfigAsync(new JobConfigChange { TimeoutMs = 60_000, ChangedBy = "test" });
        await c.Job(Slug).TriggerAsync(new TriggerRequest { UserId = "t" });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var owner = Assert.Single(await c.RowsAsync(Slug)).LeaseOwner;
        var host = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == owner);

        // The other silo keeps sweeping expired leases every second while this one drains.
        var stopping = DateTimeOffset.UtcNow;
        stopBegan.TrySetResult();
        await c.Cluster.StopSiloAsync(host);
        var stopped = DateTimeOffset.UtcNow;

        var row = Assert.Single(await c.RowsAsync(Slug));
        Assert.Equal(ExecutionStatus.Succeeded, row.Status);
        Assert.Equal("outlived its lease", row.Output);
        Assert.Equal(owner, row.LeaseOwner);
        // The stop waited for the run, which outlived a whole lease (and a sweep) after the stop began: renewals kept it alive.
        Assert.True(stopped - stopping >= RunAfterStop, $"the stop took {(stopped - stopping).TotalSeconds:0.0} s");
    }
}
