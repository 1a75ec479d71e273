using Totallator.Tests.Faults.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Faults;

/// <summary>Fault 4: the whole cluster stopped across several occurrences, then started again.</summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class ClusterStopTests(ITestOutputHelper output)
{
    private const int RunAllCap = 3;
    private static readonly string[] _jobs = ["once", "skip", "all"];
    /// <summary>From `up` until every job has recorded what it missed: schema check, silo start, the cluster-start wake.</summary>
    private static readonly TimeSpan _catchUpBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AfterAWholeClusterStop_EveryJobFollowsItsMisfirePolicy_AndEveryMissedOccurrenceIsRecorded()
    {
        var report = new FaultReport(output, "4 cluster stop");
        var configuration = FaultJobs.Base();
        FaultJobs.Add(configuration, "once", periodSeconds: 2, misfirePolicy: "run_once");
        FaultJobs.Add(configuration, "skip", periodSeconds: 2, misfirePolicy: "skip");
        FaultJobs.Add(configuration, "all", periodSeconds: 2, misfirePolicy: "run_all", runAllCap: RunAllCap);
        await using var cluster = await LocalCluster.CreateAsync("stop", configuration);
        try
        {
            await cluster.UpAsync(2);
            var from = DateTimeOffset.UtcNow.AddSeconds(3);
            await Task.Delay(TimeSpan.FromSeconds(6));

            await cluster.DownAsync();
            var downAt = DateTimeOffset.UtcNow;
            await Task.Delay(TimeSpan.FromSeconds(14));
            var upAt = DateTimeOffset.UtcNow;
            await cluster.UpAsync(2);
            var readyAfter = DateTimeOffset.UtcNow - upAt;

            // Occurrences due while nothing ran, and older than the misfire threshold (3 s) whenever the jobs woke: misfires.
            var down = Ledger.Instants(2, downAt.AddSeconds(1), upAt.AddSeconds(-3)).ToList();
            Assert.True(down.Count >= 5, $"only {down.Count} occurrences fell in the stop");
            var handled = await Ledger.WaitForAsync(cluster, rows =>
                    _jobs.All(j => down.All(t => rows.Any(r => r.Job == j && r.ScheduledFor == t && !r.IsActive))) ? rows : null,
                _catchUpBound, "every job's misfires handled");
            // When the last misfire row was written (the database's clock, close enough to ours on one machine).
            var handledAfter = handled.Where(r => down.Contains(r.ScheduledFor)).Max(r => r.CompletedAt!.Value) - upAt;
            Assert.True(handledAfter < _catchUpBound, $"misfires recorded only {handledAfter.TotalSeconds:0.0} s after `up` (bound {_catchUpBound.TotalSeconds:0} s)");
            await Task.Delay(TimeSpan.FromSeconds(6));

            var to = DateTimeOffset.UtcNow.AddSeconds(-4);
            var rows = await Ledger.ReadAsync(cluster);
            var effects = Ledger.ReadEffects(cluster);
            var once = Ledger.AssertExactlyOnce(rows, effects, "once", 2, from, to);
            var skip = Ledger.AssertExactlyOnce(rows, effects, "skip", 2, from, to);
            var all = Ledger.AssertExactlyOnce(rows, effects, "all", 2, from, to);

            Ledger.AssertMisfirePolicy(once, down, maxCatchUps: 1);
            Ledger.AssertMisfirePolicy(skip, down, maxCatchUps: 0);
            Ledger.AssertMisfirePolicy(all, down, maxCatchUps: RunAllCap);
            Assert.Contains(all.Values, r => r.TriggeredBy == "catch-up");
            Assert.Contains(once.Values, r => r.TriggeredBy == "catch-up" || (r.TriggeredBy == "scheduler" && r.ScheduledFor > downAt && r.ScheduledFor < upAt.Add(_catchUpBound)));

            string Of(SortedDictionary<DateTimeOffset, RunRow> job) =>
                $"missed {job.Values.Count(r => r.Status == "missed")}, catch-up runs {job.Values.Count(r => r.TriggeredBy == "catch-up")}";
            report.Figure($"cluster down {(upAt - downAt).TotalSeconds:0} s ({down.Count} occurrences of each 2-s job); up again and ready in {readyAfter.TotalSeconds:0.0} s; every misfire recorded {handledAfter.TotalSeconds:0.0} s after `up` (bound {_catchUpBound.TotalSeconds:0} s)");
            report.Figure($"run_once: {Of(once)}; skip: {Of(skip)}; run_all (cap {RunAllCap}): {Of(all)}; duplicates 0, lost 0");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + cluster.Diagnostics(), ex);
        }
    }
}
