using Totallator.Tests.Faults.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Faults;

/// <summary>Fault 5: a rolling restart of every silo, one at a time, under load.</summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class RollingRestartTests(ITestOutputHelper output)
{
    private const int Silos = 3;
    /// <summary>One step: graceful stop (runs finish, claims are released) and a new process ready in the cluster.</summary>
    private static readonly TimeSpan _stepBound = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task RollingRestartUnderLoad_EveryOccurrenceHasExactlyOneTerminalRow()
    {
        var report = new FaultReport(output, "5 rolling restart");
        var configuration = FaultJobs.Base();
        var jobs = Enumerable.Range(1, 8).Select(i => (Slug: $"r{i}", Period: i <= 4 ? 1 : 2)).ToList();
        foreach (var (slug, period) in jobs)
        {
            FaultJobs.Add(configuration, slug, periodSeconds: period, sleepSeconds: 0.3);
        }
        await using var cluster = await LocalCluster.CreateAsync("rolling", configuration);
        try
        {
            await cluster.UpAsync(Silos);
            var from = DateTimeOffset.UtcNow.AddSeconds(3);
            await Task.Delay(TimeSpan.FromSeconds(5));

            var steps = new List<TimeSpan>();
            for (var n = 1; n <= Silos; n++)
            {
                var started = DateTimeOffset.UtcNow;
                await cluster.RestartAsync("silo" + n);
                steps.Add(DateTimeOffset.UtcNow - started);
            }
            await Task.Delay(TimeSpan.FromSeconds(8));

            var to = DateTimeOffset.UtcNow.AddSeconds(-4);
            var rows = await Ledger.ReadAsync(cluster);
            var effects = Ledger.ReadEffects(cluster);
            var window = jobs.SelectMany(j => Ledger.AssertExactlyOnce(rows, effects, j.Slug, j.Period, from, to).Values).ToList();
            Assert.All(steps, s => Assert.True(s < _stepBound, $"a restart step took {s.TotalSeconds:0.0} s (bound {_stepBound.TotalSeconds:0} s)"));
            Assert.DoesNotContain(window, r => r.Status == "abandoned");

            // The longest pause of any job: the handover cost of a restart.
            var gaps = jobs.Select(j => window.Where(r => r.Job == j.Slug && r.Ran).Select(r => r.StartedAt!.Value).Order().ToList())
                .SelectMany(starts => starts.Zip(starts.Skip(1), (a, b) => b - a)).DefaultIfEmpty().Max();
            report.Figure($"restarted {Silos} silos one at a time: steps {string.Join(", ", steps.Select(s => $"{s.TotalSeconds:0.0} s"))} (bound {_stepBound.TotalSeconds:0} s each)");
            report.Figure($"window {(to - from).TotalSeconds:0} s, {jobs.Count} jobs (4 every 1 s, 4 every 2 s): {Ledger.Summary(window)}; longest gap between runs of one job {gaps.TotalSeconds:0.0} s; duplicates 0, lost 0, abandoned 0");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + cluster.Diagnostics(), ex);
        }
    }
}
