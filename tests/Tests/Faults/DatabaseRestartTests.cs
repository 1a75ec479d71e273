using System.Net;
using Npgsql;
using Totallator.Tests.Faults.Infrastructure;
using Totallator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Faults;

/// <summary>Fault 3: PostgreSQL down for 30 s under load (a server of its own, so the other tests' server stays up).</summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    private const int RunAllCap = 3;
    private static readonly TimeSpan _outage = TimeSpan.FromSeconds(30);
    /// <summary>From the database's return until the AdminApi answers 200 again and a job has run (pools reconnect, store retries every 1 s).</summary>
    private static readonly TimeSpan _recoverBound = TimeSpan.FromSeconds(30);
    private static readonly string[] _jobs = ["once", "skip", "all"];

    [Fact]
    public async Task DatabaseDownFor30s_NoSiloDies_OutageOccurrencesFollowTheMisfirePolicy_AdminApiAnswers503ThenRecovers()
    {
        var report = new FaultReport(output, "3 PostgreSQL restart");
        await using var postgres = await ScratchPostgres.StartAsync();
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Database = "totallator" }.ConnectionString;
        var configuration = FaultJobs.Base();
        FaultJobs.Add(configuration, "once", periodSeconds: 2, misfirePolicy: "run_once");
        FaultJobs.Add(configuration, "skip", periodSeconds: 2, misfirePolicy: "skip");
        FaultJobs.Add(configuration, "all", periodSeconds: 2, misfirePolicy: "run_all", runAllCap: RunAllCap);
        FaultJobs.Add(configuration, "load", periodSeconds: 1, sleepSeconds: 0.2);
        await using var cluster = await LocalCluster.CreateAsync("pg", configuration, connectionString);
        using var http = new HttpClient { BaseAddress = new Uri(cluster.AdminApiUrl), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", cluster.AdminKey);
        try
        {
            await cluster.UpAsync(2);
            var from = DateTimeOffset.UtcNow.AddSeconds(3);
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/cron/jobs")).StatusCode);

            await postgres.StopServerAsync();
            var stoppedAt = DateTimeOffset.UtcNow;
            var during = new Dictionary<HttpStatusCode, int>();
            var withRetryAfter = 0;
            while (DateTimeOffset.UtcNow - stoppedAt < _outage)
            {
                using var response = await http.GetAsync("/api/cron/jobs");
                during[response.StatusCode] = during.GetValueOrDefault(response.StatusCode) + 1;
                withRetryAfter += response.Headers.RetryAfter is null ? 0 : 1;
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            foreach (var silo in new[] { "silo1", "silo2" })
            {
                Assert.Equal("running", await cluster.StateAsync(silo));
            }
            await postgres.StartServerAsync();
            var startedAt = DateTimeOffset.UtcNow;

            // Recovery: the AdminApi answers 200, and a job runs again.
            var apiBack = await WaitAsync(async () => (await http.GetAsync("/api/cron/jobs")).StatusCode == HttpStatusCode.OK, _recoverBound, "the AdminApi answering 200");
            var ranAgain = await Ledger.WaitForAsync(cluster, rows => rows.FirstOrDefault(r => r.Job == "load" && r.StartedAt > startedAt), _recoverBound, "a run after the outage");
            await Task.Delay(TimeSpan.FromSeconds(10));

            var to = DateTimeOffset.UtcNow.AddSeconds(-5);
            var rows = await Ledger.ReadAsync(cluster);
            var effects = Ledger.ReadEffects(cluster);
            var byJob = _jobs.ToDictionary(j => j, j => Ledger.AssertExactlyOnce(rows, effects, j, 2, from, to));
            var load = Ledger.AssertExactlyOnce(rows, effects, "load", 1, from, to);
            // Due while nothing could claim them and late by more than the 3-s threshold when the database came back.
            var outage = Ledger.Instants(2, stoppedAt.AddSeconds(2), startedAt.AddSeconds(-3)).ToList();
            Ledger.AssertMisfirePolicy(byJob["once"], outage, maxCatchUps: 1);
            Ledger.AssertMisfirePolicy(byJob["skip"], outage, maxCatchUps: 0);
            Ledger.AssertMisfirePolicy(byJob["all"], outage, maxCatchUps: RunAllCap);
            Assert.True(byJob["all"].Values.Any(r => r.TriggeredBy == "catch-up"),
                $"run_all ran no catch-up after the outage ({stoppedAt:HH:mm:ss.fff} to {startedAt:HH:mm:ss.fff}):\n" + string.Join('\n', byJob["all"].Values));
            Assert.True(during.Keys.All(s => s == HttpStatusCode.ServiceUnavailable), "during the outage the AdminApi answered " + Describe(during));
            Assert.Equal(during.Values.Sum(), withRetryAfter);
            foreach (var silo in new[] { "silo1", "silo2" })
            {
                Assert.Equal("running", await cluster.StateAsync(silo));
            }

            string Of(SortedDictionary<DateTimeOffset, RunRow> job) =>
                $"missed {job.Values.Count(r => r.Status == "missed")}, catch-up runs {job.Values.Count(r => r.TriggeredBy == "catch-up")}";
            report.Figure($"PostgreSQL stopped {(startedAt - stoppedAt).TotalSeconds:0} s under load; both silos stayed up; AdminApi during: {Describe(during)} (all with Retry-After)");
            report.Figure($"after the restart: AdminApi 200 in {apiBack.TotalSeconds:0.0} s, first run in {(ranAgain.StartedAt!.Value - startedAt).TotalSeconds:0.0} s (bound {_recoverBound.TotalSeconds:0} s each)");
            report.Figure($"{outage.Count} occurrences per 2-s job in the outage: run_once {Of(byJob["once"])}; skip {Of(byJob["skip"])}; run_all (cap {RunAllCap}) {Of(byJob["all"])}; 1-s load job {Ledger.Summary(load.Values)}; duplicates 0, lost 0");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + cluster.Diagnostics(), ex);
        }
    }

    private static string Describe(Dictionary<HttpStatusCode, int> statuses) =>
        string.Join(", ", statuses.Select(s => $"{(int)s.Key} ×{s.Value}"));

    private static async Task<TimeSpan> WaitAsync(Func<Task<bool>> condition, TimeSpan bound, string what)
    {
        var started = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow - started < bound)
        {
            try
            {
                if (await condition())
                {
                    return DateTimeOffset.UtcNow - started;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }
            catch (TaskCanceledException)
            {
                // Timed out: not answering yet.
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{what}: not within {bound.TotalSeconds:0} s");
    }
}
