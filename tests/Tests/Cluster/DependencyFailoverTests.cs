using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// A chain of three (a, then b on a's success, then c on b's completion) on a 3-silo PostgreSQL cluster, with the silo running
/// the middle job killed in the middle of its run: every link still fires once per upstream occurrence, in order (issue 14).
/// </summary>
[Trait("Category", "Cluster")]
public sealed class DependencyFailoverTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AChainOfThree_FiresInOrder_OnceEach_WithTheMiddleJobsSiloKilledMidRun()
    {
        await using var c = await PostgresCluster.StartAsync(3);
        var slowB = false;
        TestJobs.Set("t-dep-a", _ => Task.FromResult(CronJobResult.Succeeded("a")));
        TestJobs.Set("t-dep-b", async ctx =>
        {
            if (Volatile.Read(ref slowB))
            {
                await Task.Delay(TimeSpan.FromSeconds(6), ctx.CancellationToken);
            }
            return CronJobResult.Succeeded("b");
        });
        TestJobs.Set("t-dep-c", _ => Task.FromResult(CronJobResult.Succeeded("c")));
        foreach (var slug in new[] { "t-dep-a", "t-dep-b", "t-dep-c" })
        {
            await c.EnableAsync(slug);
        }

        // A clean chain first.
        await RunChainAsync(c, round: 1);

        // Then b slow, and its silo killed while b runs: b's attempt ends abandoned (its lease expires) or with its real end,
        // and either way c (on completion) runs once after it, on a survivor.
        Volatile.Write(ref slowB, true);
        var a2 = await TriggerAsync(c, "t-dep-a");
        var b2 = (await c.WaitForRowsAsync("t-dep-b", r => r.Any(x => x.UpstreamExecutionIds?.Contains(a2) == true && x.Status == ExecutionStatus.Running), Wait,
            "b running")).Single(x => x.UpstreamExecutionIds?.Contains(a2) == true);
        var victim = c.Cluster.Silos.Single(s => s.SiloAddress.ToString() == b2.LeaseOwner);
        await c.Cluster.KillSiloAsync(victim);
        var cRows = await c.WaitForRowsAsync("t-dep-c", r => r.Count(x => x.Status == ExecutionStatus.Succeeded) >= 2, Wait, "c after the kill");
        var bEnded = (await c.RowsAsync("t-dep-b")).Single(x => x.Id == b2.Id);
        Assert.True(bEnded.Status is ExecutionStatus.Abandoned or ExecutionStatus.Succeeded, $"b ended {bEnded.Status}");
        var c2 = cRows.Single(x => x.UpstreamExecutionIds?.Contains(b2.Id) == true);
        Assert.NotEqual(victim.SiloAddress.ToString(), c2.LeaseOwner);
        Assert.True(SiloClocks.NotBefore(c2.StartedAt, bEnded.CompletedAt), $"c started {c2.StartedAt:O}, before b's end was recorded {bEnded.CompletedAt:O}");

        // The chain goes on among the survivors, the upstream telling its downstream at once even after an admin changed it
        // (its activation keeps knowing its downstreams; the sweep alone would take at least its 5 s interval).
        Volatile.Write(ref slowB, false);
        await c.Job("t-dep-a").UpdateConfigAsync(new JobConfigChange { ChangedBy = "chain-test", TimeoutMs = 9_000 });
        await RunChainAsync(c, round: 3, prompt: true);

        // Nothing ran twice: one b per a, one c per b, and no stray dependency run.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var a = await c.RowsAsync("t-dep-a");
        var b = await c.RowsAsync("t-dep-b");
        var cs = await c.RowsAsync("t-dep-c");
        Assert.Equal(3, a.Count);
        Assert.Equal(3, b.Count);
        Assert.Equal(3, cs.Count);
        Assert.Equal(a.Select(x => x.Id).Order(), b.SelectMany(x => x.UpstreamExecutionIds!).Order());
        Assert.Equal(b.Select(x => x.Id).Order(), cs.SelectMany(x => x.UpstreamExecutionIds!).Order());
        Assert.All(b.Concat(cs), x => Assert.Equal(TriggerSource.Dependency, x.TriggeredBy));
    }

    private static async Task RunChainAsync(PostgresCluster c, int round, bool prompt = false)
    {
        var a = await TriggerAsync(c, "t-dep-a");
        var bRows = await c.WaitForRowsAsync("t-dep-b", r => r.Any(x => x.UpstreamExecutionIds?.Contains(a) == true && x.Status == ExecutionStatus.Succeeded),
            Wait, $"b in round {round}");
        var b = bRows.Single(x => x.UpstreamExecutionIds?.Contains(a) == true);
        var cRows = await c.WaitForRowsAsync("t-dep-c", r => r.Any(x => x.UpstreamExecutionIds?.Contains(b.Id) == true && x.Status == ExecutionStatus.Succeeded),
            Wait, $"c in round {round}");
        var cRun = cRows.Single(x => x.UpstreamExecutionIds?.Contains(b.Id) == true);
        var aRun = (await c.RowsAsync("t-dep-a")).Single(x => x.Id == a);
        Assert.True(SiloClocks.NotBefore(b.StartedAt, aRun.CompletedAt), $"round {round}: b started {b.StartedAt:O}, before a ended {aRun.CompletedAt:O}");
        if (prompt)
        {
            Assert.True(b.StartedAt - aRun.CompletedAt < TimeSpan.FromSeconds(4), $"round {round}: b started {b.StartedAt - aRun.CompletedAt} after a ended");
        }
        Assert.True(SiloClocks.NotBefore(cRun.StartedAt, b.CompletedAt), $"round {round}: c started {cRun.StartedAt:O}, before b ended {b.CompletedAt:O}");
    }

    private static async Task<Guid> TriggerAsync(PostgresCluster c, string slug)
    {
        var result = await c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "chain-test" });
        Assert.True(result.Started, result.RefusalReason);
        await c.WaitForRowsAsync(slug, r => r.Any(x => x.Id == result.ExecutionId && x.Status == ExecutionStatus.Succeeded), Wait, $"{slug} ending");
        return result.ExecutionId!.Value;
    }
}
