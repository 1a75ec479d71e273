using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Totallator.Tests.Faults.Infrastructure;
using Totallator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Faults;

/// <summary>
/// Fault 7: a silo cut off from its peers but not from PostgreSQL (its own network namespace, a blackhole route to the peers'
/// address). The majority declares it dead and runs its jobs; whatever the cut-off silo still does, the database claim admits one
/// run per occurrence, before, during and after the heal.
/// </summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class PartitionTests(ITestOutputHelper output)
{
    private const int Dead = LocalCluster.Dead;
    private const int Active = LocalCluster.Active;
    /// <summary>A hung peer is evicted in ≈ 8 s with the shipped membership timing (MembershipTimingOptions); a partitioned one the same way. Slack for a loaded machine.</summary>
    private static readonly TimeSpan _evictBound = TimeSpan.FromSeconds(25);
    /// <summary>Eviction + the dead-silo wake + the next 2-s occurrence, with slack.</summary>
    private static readonly TimeSpan _elsewhereBound = TimeSpan.FromSeconds(30);
    /// <summary>How long the partition lasts after the eviction before it heals.</summary>
    private static readonly TimeSpan _afterEviction = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task PartitionedSiloIsEvicted_ItsJobsRunOnTheMajority_EveryOccurrenceRunsOnce()
    {
        var report = new FaultReport(output, "7 partition");
        var configuration = FaultJobs.Base();
        FaultJobs.Add(configuration, "tick1", periodSeconds: 2);
        FaultJobs.Add(configuration, "tick2", periodSeconds: 2);
        FaultJobs.Add(configuration, "long", periodSeconds: 10, sleepSeconds: 7);

        // Disposed last (after the cluster's processes are killed): the namespace, the veth pair and the route go with it.
        await using var network = await PartitionNetwork.CreateAsync();
        await using var postgres = await ScratchPostgres.StartAsync([network.DatabaseAddress], [$"host all all {network.Subnet} trust"]);
        await using var run = await LocalCluster.CreateAsync("partition", configuration, postgres.ConnectionStringFor(network.DatabaseAddress));
        try
        {
            var onHost = new Dictionary<string, string> { ["Orleans__AdvertisedIPAddress"] = network.HostAddress };
            var inNamespace = new Dictionary<string, string>
            {
                ["Orleans__AdvertisedIPAddress"] = network.NamespaceAddress, ["TOTALLATOR_SILO_NETNS"] = network.Name,
            };
            // silo3, in the namespace, starts first and alone: the first silo up wakes every job, so they all live there, and
            // the partition cuts off the silo that hosts them all.
            await run.StartAsync("silo3", inNamespace);
            await Task.WhenAll(run.StartAsync("silo1", onHost), run.StartAsync("silo2", onHost));
            Assert.True(await network.CanConnectAsync(network.HostAddress, run.SiloPort(1)), "before the cut, silo3's namespace should reach silo1");
            Assert.Equal(Active, await run.SiloStatusAsync(run.SiloPort(3), network.NamespaceAddress));
            var from = DateTimeOffset.UtcNow.AddSeconds(1);
            await Task.Delay(TimeSpan.FromSeconds(5));

            await network.CutAsync();
            var cutAt = DateTimeOffset.UtcNow;
            var clock = Stopwatch.StartNew();
            Assert.False(await network.CanConnectAsync(network.HostAddress, run.SiloPort(1)), "the cut should stop silo3 reaching its peers");
            Assert.True(await network.CanConnectAsync(network.DatabaseAddress, new NpgsqlConnectionStringBuilder(run.ConnectionString).Port),
                "the cut must leave silo3 its database");

            TimeSpan? evicted = null, elsewhere = null, exited = null, recovering = null;
            RunRow? firstElsewhere = null;
            var pid = int.Parse(File.ReadAllText(Path.Combine(run.Directory, "silo3.pid")).Trim(), CultureInfo.InvariantCulture);
            while (clock.Elapsed < _elsewhereBound + TimeSpan.FromSeconds(5) && (evicted is null || elsewhere is null || (exited is null && clock.Elapsed < evicted + _afterEviction)))
            {
                if (evicted is null && await run.SiloStatusAsync(run.SiloPort(3), network.NamespaceAddress) == Dead)
                {
                    evicted = clock.Elapsed;
                }
                if (elsewhere is null)
                {
                    firstElsewhere = (await Ledger.ReadAsync(run)).Where(r => r.Ran && r.StartedAt > cutAt && run.SiloOf(r.LeaseOwner!) != "silo3")
                        .MinBy(r => r.StartedAt);
                    elsewhere = firstElsewhere?.StartedAt - cutAt;
                }
                if (exited is null && !IsAlive(pid))
                {
                    exited = clock.Elapsed;
                }
                // The logs carry no timestamps: the moment a line is first seen (within the 200-ms poll) stands for it.
                if (recovering is null && (run.Log("silo1") + run.Log("silo2")).Contains("is dead: waking the", StringComparison.Ordinal))
                {
                    recovering = clock.Elapsed;
                }
                await Task.Delay(200);
            }
            Assert.True(evicted is not null && evicted <= _evictBound,
                $"silo3 should be declared dead (status {Dead}) within {_evictBound.TotalSeconds:0} s of the cut; after {clock.Elapsed.TotalSeconds:0} s its status is {await run.SiloStatusAsync(run.SiloPort(3), network.NamespaceAddress)}");
            Assert.True(elsewhere is not null && elsewhere <= _elsewhereBound,
                $"the jobs should run on silo1 or silo2 within {_elsewhereBound.TotalSeconds:0} s of the cut");
            // The majority stays: neither host silo is declared dead by the cut-off one.
            Assert.Equal(Active, await run.SiloStatusAsync(run.SiloPort(1), network.HostAddress));
            Assert.Equal(Active, await run.SiloStatusAsync(run.SiloPort(2), network.HostAddress));

            // Let the partition outlast the eviction a little, then heal it.
            var sinceEviction = clock.Elapsed - evicted!.Value;
            if (sinceEviction < _afterEviction)
            {
                await Task.Delay(_afterEviction - sinceEviction);
            }
            await network.HealAsync();
            var healedAt = DateTimeOffset.UtcNow;
            var healed = clock.Elapsed;
            if (exited is null && !IsAlive(pid))
            {
                exited = clock.Elapsed;
            }
            // A silo declared dead never comes back under its old identity: it is started again (a new generation) and rejoins.
            var stillAlive = IsAlive(pid);
            if (stillAlive)
            {
                await run.TermAsync("silo3");
            }
            var restart = Stopwatch.StartNew();
            await run.StartAsync("silo3", inNamespace);
            var rejoined = restart.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(8));
            var to = DateTimeOffset.UtcNow.AddSeconds(-8);

            var rows = await Ledger.ReadAsync(run);
            var effects = Ledger.ReadEffects(run);
            var tick1 = Ledger.AssertExactlyOnce(rows, effects, "tick1", 2, from, to);
            var tick2 = Ledger.AssertExactlyOnce(rows, effects, "tick2", 2, from, to);
            var longRows = Ledger.AssertExactlyOnce(rows, effects, "long", 10, from, to);
            var window = tick1.Values.Concat(tick2.Values).Concat(longRows.Values).ToList();

            // What the cut-off silo did: runs it started after the cut (by its own rows), claims it lost (its log).
            var silo3Runs = rows.Where(r => r.LeaseOwner is not null && run.SiloOf(r.LeaseOwner) == "silo3" && r.StartedAt > cutAt && r.StartedAt < healedAt).ToList();
            var log = run.Log("silo3");
            var conflicts = log.Split('\n').Count(l => l.Contains("already claimed elsewhere", StringComparison.Ordinal));
            var majorityConflicts = (run.Log("silo1") + run.Log("silo2")).Split('\n').Count(l => l.Contains("already claimed elsewhere", StringComparison.Ordinal));
            var deadLines = log.Split('\n').Where(l => l.Contains("dead", StringComparison.OrdinalIgnoreCase)).Select(l => l.Trim()).Distinct().Take(3).ToList();
            var afterCut = window.Where(r => r.ScheduledFor > cutAt).ToList();
            var owners = afterCut.Where(r => r.LeaseOwner is not null).GroupBy(r => run.SiloOf(r.LeaseOwner!))
                .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");

            report.Figure($"silo3 (all 3 jobs) in netns {network.Name} ({network.NamespaceAddress}), peers on {network.HostAddress}, PostgreSQL on {network.DatabaseAddress}; cut = blackhole route to the peers");
            report.Figure(F($"evicted (status {Dead} in orleansmembershiptable) {evicted.Value.TotalSeconds:0.0} s after the cut (bound {_evictBound.TotalSeconds:0} s)"));
            var recoveringText = recovering is { } r ? F($"{r.TotalSeconds:0.0} s") : "(not seen in the logs)";
            report.Figure(F($"the majority began waking its jobs {recoveringText} after the cut; they first ran elsewhere {elsewhere!.Value.TotalSeconds:0.0} s after the cut ({firstElsewhere!.Job} on {run.SiloOf(firstElsewhere.LeaseOwner!)}; bound {_elsewhereBound.TotalSeconds:0} s); the majority lost {majorityConflicts} claim(s) to silo3"));
            report.Figure(F($"silo3 after the cut: started {silo3Runs.Count} run(s) (last {(silo3Runs.Count == 0 ? "-" : (silo3Runs.Max(r => r.StartedAt)! - cutAt).Value.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s")} after the cut), lost {conflicts} claim(s) to the majority; ") +
                (exited is { } e ? F($"its process exited {e.TotalSeconds:0.0} s after the cut ({(e - evicted.Value).TotalSeconds:0.0} s after its eviction)") : F($"its process was still alive at the heal ({healed.TotalSeconds:0.0} s after the cut) and was stopped")));
            if (deadLines.Count > 0)
            {
                report.Figure("silo3's log on its death: " + string.Join(" | ", deadLines.Select(l => l.Length > 160 ? l[..160] : l)));
            }
            report.Figure(F($"healed {healed.TotalSeconds:0.0} s after the cut; silo3 restarted in the namespace and ready in {rejoined.TotalSeconds:0.0} s"));
            report.Figure(F($"window {(to - from).TotalSeconds:0} s (before, during, after the cut): {window.Count} occurrences, {Ledger.Summary(window)}; after the cut owned by {string.Join(", ", owners)}; duplicates 0, lost 0, double side effects 0"));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + run.Diagnostics(), ex);
        }
    }

    private static bool IsAlive(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            return File.Exists(stat) && File.ReadAllText(stat).Split(") ")[1][0] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
