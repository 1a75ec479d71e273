using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// A silo that starts while scheduling is paused knows it before it schedules anything. Before the fix the settings cache read
/// the pause only once the silo was active, so a job woken at that moment (by a reminder tick, another silo's call or the
/// start-up wake pass) ran its catch-up as if nothing were paused.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class RestartWhilePausedTests
{
    private const string Slug = "t-pause-restart";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ARestartWhilePaused_RunsNothing_EvenAJobWokenTheMomentTheSiloIsActive()
    {
        await using var c = await PostgresCluster.StartAsync(1);
        await c.Client.GetGrain<ISchedulerSettingsGrain>(0)
            .UpdateAsync(new GlobalSettingsChange { SchedulingPaused = true }, new AdminActor { Name = "pause-restart-test" });
        await c.EnableAsync(Slug);
        await c.WaitForRowsAsync(Slug, r => r.Any(x => x.Status == ExecutionStatus.Skipped), Wait, "skipping while paused");
        await c.Cluster.StopAllSilosAsync();
        // At least one occurrence falls due while no silo is up, so one is due when the new silo plans: unpaused, it would run.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        c.Replace(await PostgresCluster.DeployAsync(c.ConnectionString, 1, "paused-" + Guid.NewGuid().ToString("N")[..6], "totallator-tests",
            configure: b => b.AddSiloBuilderConfigurator<WakeJobWhenActive>()));
        var upAt = DateTimeOffset.UtcNow;

        var rows = await c.WaitForRowsAsync(Slug, r => r.Any(x => x.Status == ExecutionStatus.Skipped && x.ScheduledFor > upAt), Wait,
            "skipping after the restart");
        Assert.Empty(TestJobs.InvocationsOf(Slug));
        Assert.All(rows, r => Assert.True(r.Status is ExecutionStatus.Skipped or ExecutionStatus.Missed,
            $"{r.OccurrenceKey} {r.Status.ToText()} {r.TriggeredBy.ToText()} {r.StatusReason}"));
        Assert.All(rows.Where(r => r.Status == ExecutionStatus.Skipped), r => Assert.Equal("paused", r.StatusReason));
    }

    /// <summary>Wakes the test's job as soon as the silo is active, and waits until it has planned.</summary>
    private sealed class WakeJobWhenActive : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, Waker>();

        private sealed class Waker(IGrainFactory grains) : ILifecycleParticipant<ISiloLifecycle>
        {
            public void Participate(ISiloLifecycle lifecycle) =>
                lifecycle.Subscribe(nameof(WakeJobWhenActive), ServiceLifecycleStage.Active + 2,
                    _ => grains.GetGrain<ICronJobGrain>(Slug).ReloadAsync(), _ => Task.CompletedTask);
        }
    }
}
