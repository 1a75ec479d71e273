using System.Text.Json;
using Npgsql;
using Totallator.Grains.Analytics;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// The roll-ups over HTTP: a job's trend per period and every job's failure rate, from history seeded days back and rolled up
/// by a first pass; refusals of a bad period and an unknown job.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class TrendApiTests(AdminApiFixture api)
{
    private const string Slug = "t-api-trend";

    [Fact]
    public async Task AViewerReadsAJobsTrendPerPeriod_AndEveryJobsFailureRate()
    {
        var id = await CreateJobAsync(Slug);
        var now = DateTimeOffset.UtcNow;
        var today = RollupPlanner.Floor(now, TrendBucketSize.Day);
        var hour = RollupPlanner.Floor(now, TrendBucketSize.Hour);
        // Three days ago: 3 succeeded (100, 200, 300 ms), 1 failed, 1 missed. Two hours ago: 1 succeeded 40 ms late, 1 timed out.
        var threeDaysAgo = today.AddDays(-3).AddHours(12);
        var twoHoursAgo = hour.AddHours(-2).AddMinutes(10);
        await using (var db = NpgsqlDataSource.Create(api.Cluster.ConnectionString))
        {
            await HistorySeeder.InsertAsync(db, id,
            [
                Run(threeDaysAgo, 100, "succeeded", lateMs: 10), Run(threeDaysAgo.AddMinutes(1), 200, "succeeded", lateMs: 20),
                Run(threeDaysAgo.AddMinutes(2), 300, "succeeded", lateMs: 30), Run(threeDaysAgo.AddMinutes(3), 50, "failed", memory: 512),
                new HistorySeeder.Row(threeDaysAgo.AddMinutes(4), null, threeDaysAgo.AddMinutes(5), null, "missed"),
                Run(twoHoursAgo, 80, "succeeded", lateMs: 40, cpu: 75), Run(twoHoursAgo.AddMinutes(1), 5000, "timed_out"),
            ]);
            await HistorySeeder.RollUpAsync(db);
        }
        using var viewer = api.ClientFor("viewer");

        var month = await viewer.FetchAsync($"/api/cron/jobs/{Slug}/trend?period=30d");

        Assert.True(month.Code == 200, month.ToString());
        var trend = month.Json;
        Assert.Equal(("30d", "day"), (trend.GetProperty("period").GetString(), trend.GetProperty("bucketSize").GetString()));
        var buckets = trend.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(30, buckets.Count);
        var old = buckets.Single(b => b.GetProperty("start").GetDateTimeOffset() == today.AddDays(-3));
        Assert.Equal((5, 3, 1, 1), (Int(old, "runs"), Int(old, "succeeded"), Int(old, "failed"), Int(old, "missed")));
        Assert.Equal(0.75, old.GetProperty("successRate").GetDouble());
        // Of the four that ran: durations 50, 100, 200, 300 ms; lateness 0, 10, 20, 30 ms.
        Assert.Equal(150, old.GetProperty("durationP50Ms").GetDouble());
        Assert.Equal(300, old.GetProperty("durationMaxMs").GetInt64());
        Assert.Equal(15, old.GetProperty("latenessP50Ms").GetDouble(), 3);
        Assert.Equal(512, old.GetProperty("memoryPeakMb").GetDouble());
        var totals = trend.GetProperty("totals");
        Assert.Equal((7, 4, 1, 1), (Int(totals, "runs"), Int(totals, "succeeded"), Int(totals, "timedOut"), Int(totals, "missed")));
        Assert.Equal(4 / 6.0, totals.GetProperty("successRate").GetDouble(), 9);
        Assert.Equal(5000, totals.GetProperty("durationMaxMs").GetInt64());
        Assert.Equal(JsonValueKind.String, trend.GetProperty("computedAt").ValueKind);

        var day = (await viewer.FetchAsync($"/api/cron/jobs/{Slug}/trend?period=24h")).Json;
        var hours = day.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(24, hours.Count);
        Assert.Equal("hour", day.GetProperty("bucketSize").GetString());
        Assert.Equal(hour, hours[^1].GetProperty("start").GetDateTimeOffset());
        var recent = hours.Single(b => b.GetProperty("start").GetDateTimeOffset() == hour.AddHours(-2));
        Assert.Equal((2, 1, 1), (Int(recent, "runs"), Int(recent, "succeeded"), Int(recent, "timedOut")));
        Assert.Equal(39.6, recent.GetProperty("latenessP99Ms").GetDouble(), 3);
        Assert.Equal(75, recent.GetProperty("cpuPeakPercent").GetDouble());
        Assert.Equal(2, Int(day.GetProperty("totals"), "runs"));

        var year = (await viewer.FetchAsync($"/api/cron/jobs/{Slug}/trend?period=1y")).Json;
        Assert.Equal(365, year.GetProperty("buckets").GetArrayLength());

        var rates = await viewer.FetchAsync("/api/cron/failure-rates?period=7d");
        Assert.True(rates.Code == 200, rates.ToString());
        var mine = rates.Json.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("slug").GetString() == Slug);
        // Failed and timed out among the 6 attempts that ran (the missed one did not).
        Assert.Equal((7, 6, 2), (Int(mine, "runs"), Int(mine, "outcomes"), Int(mine, "failures")));
        Assert.Equal(2 / 6.0, mine.GetProperty("failureRate").GetDouble(), 9);
        var quiet = rates.Json.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("slug").GetString() == "t-ui-invalid");
        Assert.Equal(JsonValueKind.Null, quiet.GetProperty("failureRate").ValueKind);
        Assert.Equal("7d", (await viewer.FetchAsync("/api/cron/failure-rates")).Json.GetProperty("period").GetString());
    }

    [Theory]
    [InlineData("/api/cron/jobs/t-api-list/trend?period=2d")]
    [InlineData("/api/cron/failure-rates?period=week")]
    public async Task ABadPeriod_IsA400NamingTheField(string path)
    {
        var response = await api.ClientFor("viewer").FetchAsync(path);

        Assert.True(response.Code == 400, response.ToString());
        Assert.Contains("period must be one of 24h, 7d, 30d, 1y", response.Json.GetProperty("errors").GetProperty("period")[0].GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/cron/jobs/no-such-job/trend?period=24h")]
    [InlineData("/api/cron/jobs/Not%20A%20Slug/trend")]
    public async Task AnUnknownJob_IsA404(string path)
    {
        var response = await api.ClientFor("viewer").FetchAsync(path);

        Assert.True(response.Code == 404, response.ToString());
        Assert.Contains("No job with slug", response.ProblemText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAKey_TheTrendsAreRefused()
    {
        Assert.Equal(401, (await api.ClientFor(null).FetchAsync($"/api/cron/jobs/t-api-list/trend")).Code);
        Assert.Equal(401, (await api.ClientFor(null).FetchAsync("/api/cron/failure-rates")).Code);
    }

    private async Task<Guid> CreateJobAsync(string slug)
    {
        var created = await api.ClientFor("admin").PostJsonAsync("/api/cron/jobs", $$"""
            {"slug":"{{slug}}","type":"{{TestJobTypes.Name}}","name":"Trend of {{slug}}","schedule":"*/15 * * * *","enabled":false,
             "parameters":{"label":"t"} }
            """);
        Assert.True(created.Code == 201, created.ToString());
        return created.Json.GetProperty("id").GetGuid();
    }

    private static HistorySeeder.Row Run(DateTimeOffset scheduledFor, long durationMs, string status, long lateMs = 0, double? memory = null,
        double? cpu = null)
    {
        var started = scheduledFor.AddMilliseconds(lateMs);
        return new HistorySeeder.Row(scheduledFor, started, started.AddMilliseconds(durationMs), durationMs, status, "scheduler", memory, cpu);
    }

    private static int Int(JsonElement element, string name) => element.GetProperty(name).GetInt32();
}
