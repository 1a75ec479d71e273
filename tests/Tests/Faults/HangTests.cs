using System.Globalization;
using Totallator.Tests.Faults.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Faults;

/// <summary>Fault 2: SIGSTOP of a silo (a hung host: its sockets stay open, nothing answers), then SIGCONT.</summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class HangTests(ITestOutputHelper output)
{
    /// <summary>Measured ≈ 8 s with the shipped membership timing (MembershipTimingOptions); slack for a loaded 2-core machine.</summary>
    private static readonly TimeSpan _evictBound = TimeSpan.FromSeconds(25);
    /// <summary>Eviction, the wake of its jobs on the survivors, and the lease of its claimed-ahead rows (6 s).</summary>
    private static readonly TimeSpan _resumeBound = TimeSpan.FromSeconds(30);
    private static readonly string[] _jobs = ["t1", "t2", "t3", "t4", "t5", "t6"];

    [Fact]
    public async Task HungSiloIsEvicted_ItsJobsContinueElsewhere_AndAfterWakingItRunsNothingClaimedByOthers()
    {
        var report = new FaultReport(output, "2 SIGSTOP");
        var configuration = FaultJobs.Base();
        foreach (var job in _jobs)
        {
            FaultJobs.Add(configuration, job, periodSeconds: 2, sleepSeconds: 0.5);
        }
        await using var cluster = await LocalCluster.CreateAsync("hang", configuration);
        try
        {
            await cluster.UpAsync(3);
            var from = DateTimeOffset.UtcNow.AddSeconds(3);

            // The hung silo: the one that ran the newest run of t1 (placement is random, so any silo can be it).
            var newest = await Ledger.WaitForAsync(cluster, rows => rows.LastOrDefault(r => r.Job == "t1" && r.Ran && r.ScheduledFor > from),
                TimeSpan.FromSeconds(20), "t1 running");
            var victim = cluster.SiloOf(newest.LeaseOwner!);
            var victimPort = cluster.SiloPort(int.Parse(victim[4..], CultureInfo.InvariantCulture));
            var before = await Ledger.ReadAsync(cluster);
            var victimsJobs = before.Where(r => r.Ran).GroupBy(r => r.Job).Where(g => g.OrderBy(r => r.ScheduledFor).Last().LeaseOwner == newest.LeaseOwner)
                .Select(g => g.Key).ToList();
            await cluster.StopAsync(victim);
            var stoppedAt = DateTimeOffset.UtcNow;

            var evictedAfter = await cluster.WaitForDeadAsync(victimPort, stoppedAt, _evictBound);
            var resumed = await Ledger.WaitForAsync(cluster, rows =>
                    victimsJobs.All(j => rows.Any(r => r.Job == j && r.Ran && r.StartedAt > stoppedAt && r.LeaseOwner != newest.LeaseOwner))
                        ? rows.Where(r => victimsJobs.Contains(r.Job) && r.Ran && r.StartedAt > stoppedAt).ToList() : null,
                _resumeBound, "the hung silo's jobs running elsewhere");
            var resumedAfter = victimsJobs.Select(j => resumed.Where(r => r.Job == j).Min(r => r.StartedAt!.Value) - stoppedAt).DefaultIfEmpty().Max();

            // The host wakes up after 20 s: it is no longer a member. Whatever it had planned, it must not run an occurrence
            // another silo has claimed since.
            var hung = TimeSpan.FromSeconds(20) - (DateTimeOffset.UtcNow - stoppedAt);
            if (hung > TimeSpan.Zero)
            {
                await Task.Delay(hung);
            }
            await cluster.ContAsync(victim);
            var continuedAt = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(12));
            var state = await cluster.StateAsync(victim);

            var to = DateTimeOffset.UtcNow.AddSeconds(-6);
            var rows = await Ledger.ReadAsync(cluster);
            var effects = Ledger.ReadEffects(cluster);
            var summaries = _jobs.Select(j => Ledger.AssertExactlyOnce(rows, effects, j, 2, from, to)).SelectMany(d => d.Values).ToList();
            // Timers due while it hung fire at once on waking, before the silo learns it is dead. What they claim is fenced by the
            // database: only occurrences nobody else had claimed (AssertExactlyOnce above proves none ran twice).
            var ranOnWokenSilo = rows.Count(r => r.LeaseOwner == newest.LeaseOwner && r.StartedAt > continuedAt);
            var lastOnWokenSilo = rows.Where(r => r.LeaseOwner == newest.LeaseOwner).Max(r => r.StartedAt ?? r.ScheduledFor);

            report.Figure($"stopped {victim} (it owned {victimsJobs.Count} of {_jobs.Length} jobs); declared dead {evictedAfter.TotalSeconds:0.0} s after SIGSTOP (bound {_evictBound.TotalSeconds:0} s)");
            report.Figure($"all its jobs ran on other silos within {resumedAfter.TotalSeconds:0.0} s of SIGSTOP (bound {_resumeBound.TotalSeconds:0} s)");
            report.Figure($"SIGCONT after 20 s: it started {ranOnWokenSilo} run(s) of occurrences nobody else had claimed, the last {(lastOnWokenSilo - continuedAt).TotalSeconds:0.0} s after waking; 12 s after SIGCONT the process is {state}");
            report.Figure($"window {(to - from).TotalSeconds:0} s, {_jobs.Length} jobs every 2 s: {Ledger.Summary(summaries)}; duplicates 0, lost 0");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + cluster.Diagnostics(), ex);
        }
    }
}
