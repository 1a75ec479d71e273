using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>Tests that change the cluster's shape get a cluster (and database) of their own.</summary>
[Trait("Category", "Cluster")]
public sealed class TopologyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Every (job, occurrence) has exactly one row per attempt, and no row is left running.</summary>
    private static void AssertEachOccurrenceOnceAndSettled(IReadOnlyList<ExecutionRecord> rows, string slug)
    {
        Assert.Equal(rows.Count, rows.Select(r => (r.OccurrenceKey, r.RetryCount)).Distinct().Count());
        Assert.DoesNotContain(rows, r => r.Status.IsActive() && r.CompletedAt is not null);
        var invocations = TestJobs.InvocationsOf(slug);
        Assert.Equal(invocations.Count, invocations.Select(i => (i.OccurrenceKey, i.RetryCount)).Distinct().Count());
    }

    [Fact]
    public async Task JobsKeepFiringOnTheSurvivor_AfterASiloStops()
    {
        await using var c = await PostgresCluster.StartAsync(2);
        string[] slugs = ["t-failover-1", "t-failover-2", "t-failover-3", "t-failover-4"];
        foreach (var slug in slugs)
        {
            await c.EnableAsync(slug);
        }
        foreach (var slug in slugs)
        {
            await c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Succeeded) >= 2, Wait, "firing on two silos");
        }
        var owners = (await Task.WhenAll(slugs.Select(c.RowsAsync))).SelectMany(r => r).Select(r => r.LeaseOwner).Distinct().ToList();
        var secondary = c.Cluster.SecondarySilos[0];
        await c.Cluster.StopSiloAsync(secondary);
        var stoppedAt = DateTimeOffset.UtcNow;

        foreach (var slug in slugs)
        {
            var rows = await c.WaitForRowsAsync(slug,
                r => r.Count(x => x.Status == ExecutionStatus.Succeeded && x.ScheduledFor > stoppedAt.AddSeconds(2)) >= 2, Wait, "firing after the stop");
            AssertEachOccurrenceOnceAndSettled(rows, slug);
            Assert.All(rows.Where(r => r.StartedAt > stoppedAt.AddSeconds(1)), r => Assert.DoesNotContain(secondary.SiloAddress.ToString(), r.LeaseOwner, StringComparison.Ordinal));
            // The gap while the job moved: every occurrence is accounted for (run, caught up, or recorded missed).
            var keys = rows.Select(r => r.ScheduledFor).Where(t => t > stoppedAt).Order().ToList();
            Assert.All(keys.Zip(keys.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second - p.First));
        }
        Assert.True(owners.Count >= 1);
    }

    [Fact]
    public async Task EveryJobKeepsFiring_AfterSilosAreKilled_WithoutWaitingForItsHeartbeat()
    {
        // A 60 s heartbeat: recovery within the waits below can only come from the survivors waking the dead silo's jobs
        // (fails without DeadSiloJobRecovery). TestCluster's in-process kill hands the directory over; the deactivations a real
        // kill -9 causes on the survivors are covered by ProcessFailoverTests.
        var settings = PostgresCluster.DefaultTimings();
        settings["Cron:Scheduler:HeartbeatPeriod"] = "00:01:00";
        await using var c = await PostgresCluster.StartAsync(3, settings);
        foreach (var slug in TestJobs.KillSlugs)
        {
            await c.EnableAsync(slug);
        }
        var since = DateTimeOffset.MinValue;
        // First the silo hosting the jobs (the start-up wake pass activated them while it was alone), then the busier survivor.
        for (var kill = 0; kill < 2; kill++)
        {
            var hosts = new List<string?>();
            foreach (var slug in TestJobs.KillSlugs)
            {
                var rows = await c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Succeeded && x.ScheduledFor > since) >= 2, Wait, "firing");
                hosts.Add(rows.Where(r => r.Status == ExecutionStatus.Succeeded).MaxBy(r => r.ScheduledFor)!.LeaseOwner);
            }
            var busiest = hosts.GroupBy(h => h).OrderByDescending(g => g.Count()).First();
            Assert.True(busiest.Count() < hosts.Count || kill == 0, "after the first kill the jobs should be spread over both survivors");
            var victim = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == busiest.Key);
            await c.Cluster.KillSiloAsync(victim);
            var killedAt = DateTimeOffset.UtcNow;

            foreach (var slug in TestJobs.KillSlugs)
            {
                var rows = await c.WaitForRowsAsync(slug,
                    r => r.Any(x => x.Status == ExecutionStatus.Succeeded && x.ScheduledFor > killedAt.AddSeconds(8)), TimeSpan.FromSeconds(20), $"firing after kill {kill + 1}");
                // Every occurrence since the kill is accounted for, once: run, caught up, recorded missed, or left with the victim.
                var keys = rows.Where(r => r.ScheduledFor > killedAt && r.RetryCount == 0).Select(r => r.ScheduledFor).Order().ToList();
                Assert.Equal(keys.Count, keys.Distinct().Count());
                Assert.All(keys.Zip(keys.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second - p.First));
            }
            since = killedAt.AddSeconds(8);
        }
    }

    [Fact]
    public async Task GracefulShutdown_LetsQuickRunsFinish_AndRecordsTheRestAbandoned()
    {
        var c = await PostgresCluster.StartAsync(1);
        try
        {
            TestJobs.Set("t-shutdown-quick", async ctx =>
            {
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
                return CronJobResult.Succeeded("finished during shutdown");
            });
            TestJobs.Set("t-shutdown-slow", async ctx =>
            {
                await Task.Delay(TimeSpan.FromSeconds(60), ctx.CancellationToken);
                return CronJobResult.Succeeded();
            });
            await c.Job("t-shutdown-quick").UpdateConfigAsync(new JobConfigChange { TimeoutMs = 60_000, ChangedBy = "test" });
            await c.Job("t-shutdown-slow").UpdateConfigAsync(new JobConfigChange { TimeoutMs = 60_000, MaxRetries = 3, ChangedBy = "test" });
            await c.Job("t-shutdown-quick").TriggerAsync(new TriggerRequest { UserId = "t" });
            await c.Job("t-shutdown-slow").TriggerAsync(new TriggerRequest { UserId = "t" });

            var stopping = DateTimeOffset.UtcNow;
            await c.Cluster.StopAllSilosAsync();
            var stopped = DateTimeOffset.UtcNow;

            var quick = Assert.Single(await c.RowsAsync("t-shutdown-quick"));
            Assert.Equal(ExecutionStatus.Succeeded, quick.Status);
            Assert.Equal("finished during shutdown", quick.Output);
            var slow = Assert.Single(await c.RowsAsync("t-shutdown-slow"));   // not retried during shutdown
            Assert.Equal(ExecutionStatus.Abandoned, slow.Status);
            Assert.Equal("shutdown", slow.StatusReason);
            Assert.Contains("shut down", slow.ErrorMessage, StringComparison.Ordinal);
            // Grace 3 s, then cancel; the stop waited for it instead of leaving a running row.
            Assert.InRange((stopped - stopping).TotalSeconds, 2.5, 20);
        }
        finally
        {
            await c.DisposeAsync();
        }
    }

    /// <summary>
    /// Regression: occurrences falling due while the silo stops used to re-arm the job's timer for an instant already past, so
    /// its ticks ran back to back in one turn and the activation never deactivated; the stop waited out its whole timeout
    /// (measured 44.6 s on the local runner).
    /// </summary>
    [Fact]
    public async Task GracefulShutdown_IsNotHeldUp_ByOccurrencesFallingDueWhileItWaits()
    {
        var c = await PostgresCluster.StartAsync(1);
        try
        {
            TestJobs.Set("t-shutdown-due", _ => Task.FromResult(CronJobResult.Succeeded()));
            TestJobs.Set("t-shutdown-hold", async _ =>
            {
                await Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None);
                return CronJobResult.Succeeded("held the stop");
            });
            await c.Job("t-shutdown-hold").UpdateConfigAsync(new JobConfigChange { TimeoutMs = 60_000, ChangedBy = "test" });
            await c.EnableAsync("t-shutdown-due");
            await c.WaitForRowsAsync("t-shutdown-due", r => r.Count(x => x.Status == ExecutionStatus.Succeeded) >= 2, Wait, "firing every second");
            // A run the stop waits for (2 s of the 3 s grace): the every-second job's occurrences fall due meanwhile.
            await c.Job("t-shutdown-hold").TriggerAsync(new TriggerRequest { UserId = "t" });

            var stopping = DateTimeOffset.UtcNow;
            await c.Cluster.StopAllSilosAsync();
            var stopped = DateTimeOffset.UtcNow;

            var hold = Assert.Single(await c.RowsAsync("t-shutdown-hold"));
            Assert.Equal(ExecutionStatus.Succeeded, hold.Status);
            // The 2 s run, then prompt deactivations; before the fix the stop took its whole 30 s timeout.
            Assert.InRange((stopped - stopping).TotalSeconds, 1.5, 12);
        }
        finally
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task MisfirePolicyIsFollowed_AfterTheWholeClusterWasDown()
    {
        await using var c = await PostgresCluster.StartAsync(1);
        string[] slugs = ["t-misfire-once", "t-misfire-skip", "t-misfire-all"];
        foreach (var slug in slugs)
        {
            await c.EnableAsync(slug);
        }
        foreach (var slug in slugs)
        {
            await c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "firing before the outage");
        }
        await c.Cluster.StopAllSilosAsync();
        var downAt = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(9));   // 4 or 5 occurrences of a 2-second schedule
        c.Replace(await PostgresCluster.DeployAsync(c.ConnectionString, 1, "restarted-" + Guid.NewGuid().ToString("N")[..6], "totallator-tests"));
        var upAt = DateTimeOffset.UtcNow;

        foreach (var slug in slugs)
        {
            var rows = await c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded && x.ScheduledFor > upAt.AddSeconds(2)), Wait, "firing after restart");
            AssertEachOccurrenceOnceAndSettled(rows, slug);
            // Nothing lost: every 2-second occurrence from before the outage to after the restart has exactly one row.
            var scheduled = rows.Where(r => r.TriggeredBy != TriggerSource.Manual).Select(r => r.ScheduledFor).Order().ToList();
            Assert.All(scheduled.Zip(scheduled.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(2), p.Second - p.First));

            // The instant the restarted grain planned its catch-up: when it recorded the missed occurrences.
            var plannedAt = rows.Where(r => r.Status == ExecutionStatus.Missed && r.ScheduledFor > downAt).Min(r => r.CompletedAt)!.Value;
            Assert.InRange(plannedAt, upAt.AddSeconds(-10), upAt.AddSeconds(10));
            var gap = rows.Where(r => r.ScheduledFor > downAt && r.ScheduledFor <= plannedAt).ToList();
            Assert.True(gap.Count >= 4, $"{slug}: expected at least 4 occurrences in the outage, saw {gap.Count}");
            var ran = gap.Where(r => r.Status == ExecutionStatus.Succeeded).ToList();
            var missed = gap.Where(r => r.Status == ExecutionStatus.Missed).ToList();
            Assert.True(gap.Count == ran.Count + missed.Count, $"{slug}: every occurrence of the outage must have run or be missed: " +
                string.Join("; ", gap.Select(g => $"{g.ScheduledFor:HH:mm:ss.fff} {g.Status.ToText()} {g.TriggeredBy.ToText()} {g.StatusReason}")) + $" down {downAt:HH:mm:ss.fff} planned {plannedAt:HH:mm:ss.fff}");
            // Missed by the policy (the restarted silo took over the claim the stopping one had handed over, and the policy
            // missed it); or, when a sweep came first, that handed-over claim recorded missed because its hold expired while no
            // silo was up. Its release reason is the stop's tick ("the silo is stopping") or the deactivation's, whichever ran
            // first (a full run saw both).
            Assert.All(missed, m => Assert.True(m.StatusReason!.Contains("misfire", StringComparison.Ordinal)
                || m.StatusReason.StartsWith("released, not taken over: deactivating", StringComparison.Ordinal)
                || m.StatusReason.StartsWith("released, not taken over: the silo is stopping", StringComparison.Ordinal), m.StatusReason));
            switch (slug)
            {
                case "t-misfire-once":
                    var once = Assert.Single(ran);
                    Assert.Equal(gap.Max(g => g.ScheduledFor), once.ScheduledFor);
                    break;
                case "t-misfire-skip":
                    // Only an occurrence no older than the 1-second threshold may run; the rest are missed.
                    Assert.All(ran, r => Assert.Equal(TriggerSource.Scheduler, r.TriggeredBy));
                    Assert.True(ran.Count <= 1);
                    break;
                case "t-misfire-all":
                    Assert.Equal(2, ran.Count);   // the cap
                    Assert.Equal(gap.OrderBy(g => g.ScheduledFor).TakeLast(2).Select(g => g.ScheduledFor), ran.Select(r => r.ScheduledFor).Order());
                    break;
            }
            Assert.All(ran.Where(r => r.ScheduledFor < plannedAt.AddSeconds(-1.5)), r => Assert.Equal(TriggerSource.CatchUp, r.TriggeredBy));
        }
    }

    [Fact]
    public async Task TwoClustersClaimingTheSameJob_RunEachOccurrenceOnce()
    {
        // A split brain: two clusters that cannot see each other both activate the job's grain; only the database fence is shared.
        await using var c = await PostgresCluster.StartAsync(1);
        var twin = await PostgresCluster.DeployAsync(c.ConnectionString, 1, "twin-" + Guid.NewGuid().ToString("N")[..6], "totallator-twin");
        try
        {
            const string slug = "t-split";
            await c.EnableAsync(slug);
            await twin.Client.GetGrain<ICronJobGrain>(slug).ReloadAsync();
            var both = DateTimeOffset.UtcNow.AddSeconds(1);
            var rows = await c.WaitForRowsAsync(slug, r => r.Count(x => x.ScheduledFor > both && x.Status == ExecutionStatus.Succeeded) >= 10, Wait, "two claimants");

            AssertEachOccurrenceOnceAndSettled(rows, slug);
            var owners = rows.Where(r => r.ScheduledFor > both).Select(r => r.LeaseOwner).Distinct().ToList();
            var invocations = TestJobs.InvocationsOf(slug).Where(i => i.ScheduledFor > both).ToList();
            Assert.Equal(invocations.Count, invocations.Select(i => i.OccurrenceKey).Distinct().Count());
            // Both clusters really raced: each won some occurrences (and lost the others at the fence).
            Assert.True(owners.Count == 2, $"expected runs from both clusters' silos, saw {string.Join(", ", owners)}");
        }
        finally
        {
            await twin.StopAllSilosAsync();
            await twin.DisposeAsync();
        }
    }
}
