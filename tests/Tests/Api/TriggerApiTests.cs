using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>Manual triggers and cancels over HTTP, asserted on the rows they leave in cronJobExecution.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class TriggerApiTests(AdminApiFixture api)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ATriggerAnswers202WithTheExecutionThatItRecords()
    {
        const string slug = "t-api-trigger";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("triggered over http", 3)));
        using var client = api.ClientFor("operator");

        var response = await client.PostJsonAsync($"/api/cron/jobs/{slug}/trigger");

        Assert.True(response.Code == 202, response.ToString());
        var id = response.Json.GetProperty("executionId").GetGuid();
        Assert.False(response.Json.GetProperty("replayed").GetBoolean());
        Assert.Equal($"/api/cron/executions/{id}", response.Headers.Location!.ToString());
        var row = (await api.Cluster.WaitForRowsAsync(slug, rows => rows.Any(r => r.Id == id && r.Status == ExecutionStatus.Succeeded), Wait, "triggered run"))
            .Single(r => r.Id == id);
        Assert.Equal((TriggerSource.Manual, "test-operator"), (row.TriggeredBy, row.TriggeredByUserId));

        var details = await client.FetchAsync($"/api/cron/executions/{id}");
        Assert.Equal(200, details.Code);
        Assert.Equal("succeeded", details.Json.GetProperty("summary").GetProperty("status").GetString());
        Assert.Equal("manual", details.Json.GetProperty("summary").GetProperty("triggeredBy").GetString());
        Assert.Contains("triggered over http", details.Json.GetProperty("output").GetString(), StringComparison.Ordinal);
        var audit = (await client.FetchAsync($"/api/cron/audit?job={slug}&action=job.trigger")).Json.GetProperty("items");
        Assert.Equal(id.ToString(), audit[0].GetProperty("target").GetString());
    }

    [Fact]
    public async Task ATriggerWhileRunningIsRefusedUnlessOverriddenAndARunCanBeCancelled()
    {
        const string slug = "t-api-slow";
        TestJobs.Set(slug, async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), context.CancellationToken);
            return CronJobResult.Succeeded();
        });
        using var client = api.ClientFor("operator");
        var first = (await client.PostJsonAsync($"/api/cron/jobs/{slug}/trigger")).Json.GetProperty("executionId").GetGuid();
        await api.Cluster.WaitForRowsAsync(slug, rows => rows.Any(r => r.Id == first && r.Status == ExecutionStatus.Running), Wait, "first run starts");

        var refused = await client.PostJsonAsync($"/api/cron/jobs/{slug}/trigger");
        Assert.Equal(409, refused.Code);
        Assert.Equal(first, refused.Json.GetProperty("runningExecutionId").GetGuid());
        Assert.Contains("already running", refused.ProblemText, StringComparison.Ordinal);

        var overridden = await client.PostJsonAsync($"/api/cron/jobs/{slug}/trigger", """{"override":true}""");
        Assert.True(overridden.Code == 202, overridden.ToString());
        var second = overridden.Json.GetProperty("executionId").GetGuid();
        var rows = await api.Cluster.WaitForRowsAsync(slug, r => r.Any(x => x.Id == second), Wait, "override run recorded");
        Assert.Contains("manual override by test-operator", rows.Single(r => r.Id == second).StatusReason, StringComparison.Ordinal);

        foreach (var id in new[] { first, second })
        {
            var cancel = await client.PostJsonAsync($"/api/cron/executions/{id}/cancel");
            Assert.True(cancel.Code == 202, cancel.ToString());
        }
        rows = await api.Cluster.WaitForRowsAsync(slug, r => r.Count == 2 && r.All(x => !x.Status.IsActive()), Wait, "both runs cancelled");
        Assert.All(rows, r => Assert.Equal((ExecutionStatus.Failed, "cancelled"), (r.Status, r.StatusReason)));
        Assert.All(rows, r => Assert.Contains("Cancelled by test-operator", r.ErrorMessage, StringComparison.Ordinal));

        var again = await client.PostJsonAsync($"/api/cron/executions/{first}/cancel");
        Assert.Equal(409, again.Code);
        Assert.Contains("is not running (it is failed)", again.ProblemText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARepeatedIdempotencyKeyStartsNothingNewAndAnswersTheFirstExecution()
    {
        const string slug = "t-api-idem";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded()));
        using var client = api.ClientFor("operator");
        var headers = new Dictionary<string, string> { ["Idempotency-Key"] = "deploy-2026-11-26-42" };

        var first = await client.SendAsync("POST", $"/api/cron/jobs/{slug}/trigger", null, headers);
        Assert.True(first.Code == 202, first.ToString());
        var id = first.Json.GetProperty("executionId").GetGuid();
        await api.Cluster.WaitForRowsAsync(slug, rows => rows.Any(r => r.Id == id && !r.Status.IsActive()), Wait, "first run ends");

        var repeat = await client.SendAsync("POST", $"/api/cron/jobs/{slug}/trigger", null, headers);
        Assert.True(repeat.Code == 202, repeat.ToString());
        Assert.Equal(id, repeat.Json.GetProperty("executionId").GetGuid());
        Assert.True(repeat.Json.GetProperty("replayed").GetBoolean());
        await Task.Delay(500);
        Assert.Single(await api.Cluster.RowsAsync(slug));

        var other = await client.SendAsync("POST", $"/api/cron/jobs/{slug}/trigger", null, new Dictionary<string, string> { ["Idempotency-Key"] = "another" });
        Assert.NotEqual(id, other.Json.GetProperty("executionId").GetGuid());
    }

    [Fact]
    public async Task TriggersBeyondTheLimitAnswer429WithRetryAfter()
    {
        const string slug = "t-api-rate";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded()));
        using var client = api.ClientFor("admin");
        for (var i = 0; i < AdminApiFixture.TriggersPerJob; i++)
        {
            var allowed = await client.PostJsonAsync($"/api/cron/jobs/{slug}/trigger", """{"override":true}""");
            Assert.True(allowed.Code == 202, $"trigger {i + 1}: {allowed}");
        }
        var limited = await client.PostJsonAsync($"/api/cron/jobs/{slug}/trigger", """{"override":true}""");
        Assert.Equal(429, limited.Code);
        Assert.True(int.Parse(limited.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("limited to", limited.ProblemText, StringComparison.Ordinal);
        await api.Cluster.WaitForRowsAsync(slug, rows => rows.Count == AdminApiFixture.TriggersPerJob && rows.All(r => !r.Status.IsActive()), Wait,
            "only the allowed triggers ran");
    }
}
