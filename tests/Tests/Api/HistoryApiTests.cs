using Npgsql;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>Execution history over HTTP: filters and paging, and cleanup of old history.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class HistoryApiTests(AdminApiFixture api)
{
    private const string Slug = "t-api-history";

    [Fact]
    public async Task ExecutionsArePagedNewestFirstAndFilteredByStatusAndTrigger()
    {
        var outcomes = new Queue<bool>([true, false, true]);
        TestJobs.Set(Slug, _ => Task.FromResult(outcomes.TryDequeue(out var ok) && !ok ? CronJobResult.Failure("boom", "partial output") : CronJobResult.Succeeded()));
        using var client = api.ClientFor("operator");
        for (var i = 1; i <= 3; i++)
        {
            Assert.Equal(202, (await client.PostJsonAsync($"/api/cron/jobs/{Slug}/trigger")).Code);
            await api.Cluster.WaitForRowsAsync(Slug, rows => rows.Count(r => r.TriggeredBy == TriggerSource.Manual && !r.Status.IsActive()) >= i,
                TimeSpan.FromSeconds(20), $"run {i} ends");
        }

        var all = await client.FetchAsync($"/api/cron/jobs/{Slug}/executions?trigger=manual");
        var items = all.Json.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(3, items.Count);
        var times = items.Select(e => e.GetProperty("scheduledFor").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);

        var failed = (await client.FetchAsync($"/api/cron/jobs/{Slug}/executions?status=failed")).Json.GetProperty("items");
        Assert.Equal(1, failed.GetArrayLength());
        var failedId = failed[0].GetProperty("id").GetGuid();
        var details = (await client.FetchAsync($"/api/cron/executions/{failedId}")).Json;
        Assert.Equal("boom", details.GetProperty("errorMessage").GetString());
        Assert.Equal("partial output", details.GetProperty("output").GetString());

        var page = (await client.FetchAsync($"/api/cron/jobs/{Slug}/executions?trigger=manual&limit=2&offset=1")).Json;
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        Assert.False(page.GetProperty("hasMore").GetBoolean());
        Assert.True((await client.FetchAsync($"/api/cron/jobs/{Slug}/executions?limit=1")).Json.GetProperty("hasMore").GetBoolean());
        var none = (await client.FetchAsync($"/api/cron/jobs/{Slug}/executions?trigger=retry")).Json.GetProperty("items");
        Assert.Equal(0, none.GetArrayLength());
    }

    [Fact]
    public async Task CleanupRemovesOnlyHistoryOlderThanAskedAndSaysHowMuch()
    {
        var job = (await api.Cluster.Store.GetJobAsync(Slug, CancellationToken.None))!;
        await using (var db = NpgsqlDataSource.Create(api.Cluster.ConnectionString))
        {
            // Three runs from 40 days ago, as a long-lived cluster would have.
            await using var insert = db.CreateCommand("""
                INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, triggeredBy)
                SELECT gen_random_uuid(), @job, 's:old-' || g, now() - interval '40 days', now() - interval '40 days', now() - interval '40 days', 5, 'succeeded', 'scheduler'
                FROM generate_series(1, 3) g
                """);
            insert.Parameters.AddWithValue("job", job.Id);
            Assert.Equal(3, await insert.ExecuteNonQueryAsync());
        }
        var recentBefore = (await api.Cluster.RowsAsync(Slug)).Count(r => !r.OccurrenceKey.StartsWith("s:old-", StringComparison.Ordinal));

        using var admin = api.ClientFor("admin");
        var response = await admin.PostJsonAsync("/api/cron/executions/cleanup", """{"olderThanDays":30}""");

        Assert.True(response.Code == 200, response.ToString());
        Assert.Equal(3, response.Json.GetProperty("deleted").GetInt32());
        var rows = await api.Cluster.RowsAsync(Slug);
        Assert.DoesNotContain(rows, r => r.OccurrenceKey.StartsWith("s:old-", StringComparison.Ordinal));
        Assert.Equal(recentBefore, rows.Count);
        var audit = (await admin.FetchAsync("/api/cron/audit?action=executions.cleanup")).Json.GetProperty("items")[0];
        Assert.Equal(3, audit.GetProperty("newValues").GetProperty("deleted").GetInt32());
    }
}
