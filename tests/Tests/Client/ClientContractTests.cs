using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Totallator.Client;
using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Client;

/// <summary>
/// The client's types against the API's answers: every read answer, fetched raw, fits the client's type with no field left
/// over (a field the API adds, or renames, fails here before a user finds it missing); and the registration for DI.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class ClientContractTests(AdminApiFixture api)
{
    private static readonly JsonSerializerOptions Strict = StrictOptions();

    [Fact]
    public async Task EveryReadAnswerFitsTheClientsTypesWithNoFieldLeftOver()
    {
        const string slug = "t-client-shape";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("shaped", 2)));
        var (admin, http) = ClientFactory.For(api, "admin");
        using var _ = http;
        var run = await admin.TriggerAndWaitAsync(slug, wait: new WaitOptions { Timeout = TimeSpan.FromSeconds(20) });
        Assert.Equal(ExecutionStatus.Succeeded, run.Summary.Status);
        using var raw = api.ClientFor("admin");

        await FitsAsync<JobListPage>(raw, $"jobs?q={slug}", p => Assert.Single(p.Items).LastRun!.Id == run.Summary.Id);
        await FitsAsync<JobView>(raw, $"jobs/{slug}", j => j.Statistics.Recent.Count > 0 && j.LastRun is not null);
        await FitsAsync<JobListPage>(raw, "jobs?q=t-api-typed", _ => true);
        await FitsAsync<ExecutionPage>(raw, $"jobs/{slug}/executions", p => p.Items.Count > 0);
        await FitsAsync<ExecutionDetails>(raw, $"executions/{run.Summary.Id}", e => e.Output!.Contains("shaped", StringComparison.Ordinal));
        await FitsAsync<List<OneOffRun>>(raw, $"jobs/{slug}/runs?all=true", _ => true);
        await FitsAsync<JobTrend>(raw, $"jobs/{slug}/trend?period=24h", t => t.Buckets.Count == 24);
        await FitsAsync<FailureRates>(raw, "failure-rates", r => r.Jobs.Count > 0);
        await FitsAsync<GlobalSettings>(raw, "config", s => s.HistoryRetentionDays > 0);
        await FitsAsync<CleanupPreview>(raw, "executions/cleanup", p => p.OlderThanDays > 0);
        await FitsAsync<List<ApiKeyInfo>>(raw, "keys", k => k.Any(key => key.Name == "test-viewer" && key.Role == AdminRole.Viewer));
        await FitsAsync<AuditPage>(raw, "audit?limit=50", a => a.Items.Count > 0);
        await FitsAsync<List<JobType>>(raw, "job-types", t => t.Any(type => type.Name == TestJobTypes.Name));
        await FitsAsync<Activity>(raw, "activity", a => a.Now > DateTimeOffset.MinValue);
        await FitsAsync<List<AlertRuleView>>(raw, "alerts/rules", _ => true);
        await FitsAsync<List<AlertDeliveryView>>(raw, "alerts/deliveries", _ => true);
        await FitsAsync<SessionInfo>(raw, "session", s => s.Name == "test-admin" && s.Role == "admin");
        Assert.Equal(3, (await admin.PreviewScheduleAsync("0 9 * * 1-5", "Europe/Berlin", 3)).NextFireTimes.Count);
    }

    [Fact]
    public async Task AddTotallatorClientRegistersAWorkingTypedClientAndRefusesBadOptionsWithoutQuotingTheKey()
    {
        var services = new ServiceCollection();
        services.AddTotallatorClient(o =>
        {
            o.BaseAddress = api.BaseAddress;
            o.ApiKey = api.ViewerKey;
        });
        await using (var provider = services.BuildServiceProvider())
        {
            var caller = await provider.GetRequiredService<ITotallatorClient>().GetCallerAsync();
            Assert.Equal(("test-viewer", "viewer"), (caller.Name, caller.Role));
        }

        const string badKey = "has a space-0123456789";
        var bad = new ServiceCollection();
        bad.AddTotallatorClient(o =>
        {
            o.BaseAddress = new Uri("ftp://example.com/");
            o.ApiKey = badKey;
        });
        await using var badProvider = bad.BuildServiceProvider();
        var refused = Assert.Throws<OptionsValidationException>(() => badProvider.GetRequiredService<ITotallatorClient>());
        Assert.Contains("BaseAddress must be an absolute http or https address", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ApiKey is malformed", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(badKey, refused.Message, StringComparison.Ordinal);
    }

    private static async Task FitsAsync<T>(HttpClient raw, string path, Func<T, bool> looksRight)
    {
        var answer = await raw.FetchAsync("/api/cron/" + path);
        Assert.True(answer.Code == 200, $"{path}: {answer}");
        T value;
        try
        {
            value = JsonSerializer.Deserialize<T>(answer.Body, Strict)!;
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"{path} does not fit {typeof(T).Name}: {e.Message}");
        }
        Assert.True(looksRight(value), $"{path} read as {typeof(T).Name} does not look right: {answer.Body[..Math.Min(answer.Body.Length, 400)]}");
    }

    private static JsonSerializerOptions StrictOptions()
    {
        var options = TotallatorJson.Create();
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return options;
    }
}
