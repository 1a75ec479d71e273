using System.Text.Json;
using Totallator.Grains.Jobs;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>Jobs over HTTP: the list with statistics, one job with its ETag, edits with optimistic concurrency, enable/disable.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class JobApiTests(AdminApiFixture api)
{
    [Fact]
    public async Task ListShowsEachJobWithScheduleStateLastRunAndStatistics()
    {
        const string slug = "t-api-list";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("listed", 1)));
        using var operatorClient = api.ClientFor("operator");
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(202, (await operatorClient.PostJsonAsync($"/api/cron/jobs/{slug}/trigger")).Code);
            await api.Cluster.WaitForRowsAsync(slug, rows => rows.Count == i + 1 && rows.All(r => r.Status == ExecutionStatus.Succeeded),
                TimeSpan.FromSeconds(20), $"manual run {i + 1}");
        }

        using var viewer = api.ClientFor("viewer");
        var list = await viewer.FetchAsync($"/api/cron/jobs?q={slug}");
        Assert.Equal(200, list.Code);
        var job = list.Json.GetProperty("items").EnumerateArray().Single(j => j.GetProperty("slug").GetString() == slug);
        Assert.Equal("0 0 1 1 *", job.GetProperty("schedule").GetString());
        Assert.Equal("code", job.GetProperty("scheduleSource").GetString());
        Assert.Equal("UTC", job.GetProperty("timeZone").GetString());
        Assert.False(job.GetProperty("isEnabled").GetBoolean());
        Assert.Equal(0, job.GetProperty("nextFireTimes").GetArrayLength());
        Assert.Equal("succeeded", job.GetProperty("lastRun").GetProperty("status").GetString());
        var stats = job.GetProperty("statistics");
        Assert.Equal(2, stats.GetProperty("sampleSize").GetInt32());
        Assert.Equal(1.0, stats.GetProperty("successRate").GetDouble());
        Assert.Equal(2, stats.GetProperty("runsLast24Hours").GetInt32());
        Assert.Equal(0, stats.GetProperty("failuresLast24Hours").GetInt32());
        // The list keeps no duration percentiles (docs/admin-read.md); the job's own page has them.
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("p95DurationMs").ValueKind);
        Assert.True((await viewer.FetchAsync($"/api/cron/jobs/{slug}")).Json.GetProperty("statistics").GetProperty("p95DurationMs").GetDouble() >= 0);
        Assert.Equal(0, job.GetProperty("runningExecutionIds").GetArrayLength());
        var invalid = await viewer.FetchAsync($"/api/cron/jobs?q={TestJobs.InvalidSlug}");
        Assert.Contains(invalid.Json.GetProperty("items").EnumerateArray(), j => j.GetProperty("slug").GetString() == TestJobs.InvalidSlug
            && j.GetProperty("invalidReason").GetString() is { Length: > 0 });
    }

    [Fact]
    public async Task AnEnabledJobShowsItsNextFiveFireTimesInItsZone()
    {
        const string slug = "t-api-toggle";
        using var operatorClient = api.ClientFor("operator");
        var enabled = await operatorClient.PostJsonAsync($"/api/cron/jobs/{slug}/enable");
        Assert.True(enabled.Code == 200, enabled.ToString());
        Assert.True(enabled.Json.GetProperty("isEnabled").GetBoolean());
        var next = enabled.Json.GetProperty("nextFireTimes").EnumerateArray().Select(t => t.GetDateTimeOffset()).ToList();
        Assert.Equal(5, next.Count);
        Assert.All(next, t => Assert.Equal((1, 1, 0, 0), (t.Month, t.Day, t.Hour, t.Minute)));
        Assert.True((await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!.IsEnabled, "enable must reach cronJob");

        var disabled = await operatorClient.PostJsonAsync($"/api/cron/jobs/{slug}/disable");
        Assert.Equal(200, disabled.Code);
        Assert.False(disabled.Json.GetProperty("isEnabled").GetBoolean());
        Assert.False((await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!.IsEnabled, "disable must reach cronJob");

        using var viewer = api.ClientFor("viewer");
        var audit = (await viewer.FetchAsync($"/api/cron/audit?job={slug}")).Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["job.disable", "job.enable"], audit.Select(a => a.GetProperty("action").GetString()).Take(2));
        Assert.All(audit.Take(2), a => Assert.Equal("test-operator", a.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task EditsNeedTheCurrentETagWhenOneIsSent()
    {
        const string slug = "t-api-etag";
        using var admin = api.ClientFor("admin");
        var first = await admin.FetchAsync($"/api/cron/jobs/{slug}");
        var etag = first.Headers.ETag!.ToString();
        Assert.Equal($"\"{first.Json.GetProperty("version").GetInt32()}\"", etag);

        var patch = """{"schedule":"*/30 * * * *","timeZone":"Europe/Berlin","timeoutMs":5000,"maxRetries":2,"misfirePolicy":"skip"}""";
        var changed = await admin.SendAsync("PATCH", $"/api/cron/jobs/{slug}", patch, new Dictionary<string, string> { ["If-Match"] = etag });
        Assert.True(changed.Code == 200, changed.ToString());
        Assert.NotEqual(etag, changed.Headers.ETag!.ToString());
        Assert.Equal("admin", changed.Json.GetProperty("scheduleSource").GetString());
        var row = (await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!;
        Assert.Equal(("*/30 * * * *", "Europe/Berlin", 5000, 2, MisfirePolicy.Skip), (row.Schedule, row.TimeZone, row.TimeoutMs, row.MaxRetries, row.MisfirePolicy));
        Assert.Contains("schedule", row.OverriddenFields);

        // Someone still holding the first version is refused, and nothing changes.
        var stale = await admin.SendAsync("PATCH", $"/api/cron/jobs/{slug}", """{"maxRetries":7}""", new Dictionary<string, string> { ["If-Match"] = etag });
        Assert.Equal(412, stale.Code);
        Assert.Contains("changed by someone else", stale.ProblemText, StringComparison.Ordinal);
        Assert.Equal(2, (await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!.MaxRetries);
    }

    [Fact]
    public async Task AnEditIsAuditedWithOldAndNewValuesAndTheRequestId()
    {
        const string slug = "t-api-audit";
        using var admin = api.ClientFor("admin");
        var response = await admin.SendAsync("PATCH", $"/api/cron/jobs/{slug}", """{"maxRetries":3}""");
        Assert.Equal(200, response.Code);
        var requestId = response.Headers.GetValues("X-Request-Id").Single();

        var entry = (await admin.FetchAsync($"/api/cron/audit?job={slug}&action=job.update")).Json.GetProperty("items")[0];
        Assert.Equal("test-admin", entry.GetProperty("actor").GetString());
        Assert.Equal(requestId, entry.GetProperty("requestId").GetString());
        Assert.Equal(0, entry.GetProperty("oldValues").GetProperty("maxRetries").GetInt32());
        Assert.Equal(3, entry.GetProperty("newValues").GetProperty("maxRetries").GetInt32());
    }
}
