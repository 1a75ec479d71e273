using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Totallator.Tests.Simulation;

/// <summary>
/// The ledger under deterministic simulation (see <see cref="LedgerSimulation"/>): thousands of seeds, each a cluster of three
/// silos hosting one job through 30 s of faults and 20 s of quiet, every invariant checked. A failure names its seed and prints
/// its trace; <c>TOTALLATOR_SIM_SEED=n</c> replays that seed alone, <c>TOTALLATOR_SIM_SEEDS=n</c> runs n seeds (a soak).
/// </summary>
[Trait("Category", "Simulation")]
public sealed class LedgerSimulationTests(ITestOutputHelper output)
{
    private static int SeedCount => int.TryParse(Environment.GetEnvironmentVariable("TOTALLATOR_SIM_SEEDS"), CultureInfo.InvariantCulture, out var n) ? n : 5000;

    [Fact]
    public void EveryInvariantHoldsForEverySeed() => RunSeeds(seed => new LedgerSimulation(seed, new SimulationSettings()).Run(), SeedCount);

    /// <summary>Job dependencies (<see cref="DependencySimulation"/>): fewer events per seed, as many seeds.</summary>
    [Fact]
    public void EveryDependencyInvariantHoldsForEverySeed() => RunSeeds(seed => new DependencySimulation(seed).Run(), SeedCount);

    private void RunSeeds(Func<int, LedgerReport> run, int count)
    {
        var seeds = Environment.GetEnvironmentVariable("TOTALLATOR_SIM_SEED") is { } one
            ? [int.Parse(one, CultureInfo.InvariantCulture)]
            : Enumerable.Range(1, count).ToArray();
        var clock = Stopwatch.StartNew();
        var failures = new List<LedgerReport>();
        foreach (var seed in seeds)
        {
            var report = run(seed);
            if (!report.Passed)
            {
                failures.Add(report);
                if (failures.Count >= 20)
                {
                    break;
                }
            }
        }
        output.WriteLine($"{seeds.Length} seed(s) in {clock.Elapsed.TotalSeconds:0.0} s, {failures.Count} failed");
        if (failures.Count > 0)
        {
            var first = failures[0];
            output.WriteLine($"trace of seed {first.Seed}:\n{first.Trace}");
            Assert.Fail(string.Join("\n", failures.Select(f => $"seed {f.Seed}: {string.Join("; ", f.Violations)}"))
                + $"\nReplay one with TOTALLATOR_SIM_SEED=<seed>; the trace of seed {first.Seed} is in the test output.");
        }
    }
}
