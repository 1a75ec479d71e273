using System.Text.Json;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// <c>GET /api/cron/jobs</c> pages, searches, filters and sorts in the cluster and answers <c>{ items, total, offset, limit }</c>;
/// every bad parameter is a 400 naming it (docs/admin-read.md).
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class JobListApiTests(AdminApiFixture api)
{
    private static List<JsonElement> Items(ApiResponse page) => [.. page.Json.GetProperty("items").EnumerateArray()];

    private static List<string> Slugs(ApiResponse page) => [.. Items(page).Select(j => j.GetProperty("slug").GetString()!)];

    [Fact]
    public async Task TheListPagesWithATotal_AndEachFilterAndSortHolds()
    {
        using var viewer = api.ClientFor("viewer");
        var all = await viewer.FetchAsync("/api/cron/jobs?limit=10000");
        Assert.Equal(200, all.Code);
        var total = all.Json.GetProperty("total").GetInt32();
        Assert.Equal(total, Items(all).Count);
        Assert.True(total >= 3, $"the fixture defines several jobs; got {total}");

        var first = await viewer.FetchAsync("/api/cron/jobs?limit=2");
        var second = await viewer.FetchAsync("/api/cron/jobs?limit=2&offset=1");
        Assert.Equal((2, total, 0, 2), (Items(first).Count, first.Json.GetProperty("total").GetInt32(),
            first.Json.GetProperty("offset").GetInt32(), first.Json.GetProperty("limit").GetInt32()));
        Assert.Equal(Slugs(all).Take(3), Slugs(first).Concat(Slugs(second).Skip(1)));
        Assert.Equal(Slugs(all).AsEnumerable().Reverse(), Slugs(await viewer.FetchAsync("/api/cron/jobs?limit=10000&order=desc")));
        Assert.Equal(Slugs(all).Take(50), Slugs(await viewer.FetchAsync("/api/cron/jobs")));

        var search = await viewer.FetchAsync($"/api/cron/jobs?q={TestJobs.InvalidSlug.ToUpperInvariant()}");
        Assert.Contains(TestJobs.InvalidSlug, Slugs(search));
        Assert.All(Slugs(search), s => Assert.Contains(TestJobs.InvalidSlug, s, StringComparison.Ordinal));

        Assert.All(Items(await viewer.FetchAsync("/api/cron/jobs?state=disabled&limit=10000")), j => Assert.False(j.GetProperty("isEnabled").GetBoolean()));
        Assert.All(Items(await viewer.FetchAsync("/api/cron/jobs?state=enabled&limit=10000")), j => Assert.True(j.GetProperty("isEnabled").GetBoolean()));
        Assert.All(Items(await viewer.FetchAsync("/api/cron/jobs?source=code&limit=10000")), j => Assert.Equal("code", j.GetProperty("source").GetString()));
        Assert.All(Items(await viewer.FetchAsync("/api/cron/jobs?outcome=never&limit=10000")), j => Assert.Equal(JsonValueKind.Null, j.GetProperty("lastRun").ValueKind));
        Assert.All(Items(await viewer.FetchAsync("/api/cron/jobs?outcome=succeeded&limit=10000")),
            j => Assert.Equal("succeeded", j.GetProperty("lastRun").GetProperty("status").GetString()));
        Assert.All(Items(await viewer.FetchAsync("/api/cron/jobs?state=failing&limit=10000")), j => Assert.True(j.GetProperty("failureStreak").GetInt32() > 0));
        // Several states match a job in any of them (enabled and disabled do not overlap).
        var enabled = (await viewer.FetchAsync("/api/cron/jobs?state=enabled&limit=1")).Json.GetProperty("total").GetInt32();
        var disabled = (await viewer.FetchAsync("/api/cron/jobs?state=disabled&limit=1")).Json.GetProperty("total").GetInt32();
        Assert.Equal(enabled + disabled, (await viewer.FetchAsync("/api/cron/jobs?state=enabled,disabled&limit=1")).Json.GetProperty("total").GetInt32());

        // Jobs that ran come first, latest first; then those that never ran.
        var byLastRun = Items(await viewer.FetchAsync("/api/cron/jobs?sort=last_run&order=desc&limit=10000"))
            .Select(j => j.GetProperty("lastRun").ValueKind == JsonValueKind.Null ? (DateTimeOffset?)null : j.GetProperty("lastRun").GetProperty("scheduledFor").GetDateTimeOffset())
            .ToList();
        var ran = byLastRun.TakeWhile(t => t is not null).ToList();
        Assert.All(byLastRun.Skip(ran.Count), t => Assert.Null(t));
        Assert.Equal(ran.OrderByDescending(t => t), ran);
        var byRuns = Items(await viewer.FetchAsync("/api/cron/jobs?sort=runs&order=desc&limit=10000"))
            .Select(j => j.GetProperty("statistics").GetProperty("runsLast24Hours").GetInt32()).ToList();
        Assert.Equal(byRuns.OrderDescending(), byRuns);
        var byRate = Items(await viewer.FetchAsync("/api/cron/jobs?sort=success_rate&limit=10000"))
            .Select(j => j.GetProperty("statistics").GetProperty("successRate")).TakeWhile(r => r.ValueKind != JsonValueKind.Null).Select(r => r.GetDouble()).ToList();
        Assert.Equal(byRate.Order(), byRate);
        Assert.Equal(200, (await viewer.FetchAsync("/api/cron/jobs?sort=name&order=asc&state=running&chain=false")).Code);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("limit=many", "limit")]
    [InlineData("offset=-1", "offset")]
    [InlineData("sort=colour", "sort")]
    [InlineData("sort=name,slug", "sort")]
    [InlineData("order=up", "order")]
    [InlineData("state=asleep", "state")]
    [InlineData("source=elsewhere", "source")]
    [InlineData("outcome=maybe", "outcome")]
    [InlineData("chain=maybe", "chain")]
    public async Task ABadParameterIsA400NamingIt(string query, string field)
    {
        using var viewer = api.ClientFor("viewer");
        var bad = await viewer.FetchAsync($"/api/cron/jobs?{query}");
        Assert.Equal(400, bad.Code);
        Assert.True(bad.Json.GetProperty("errors").TryGetProperty(field, out _), bad.Body);
    }

    [Fact]
    public async Task ASearchTooLongIsA400NamingQ()
    {
        using var viewer = api.ClientFor("viewer");
        var bad = await viewer.FetchAsync($"/api/cron/jobs?q={new string('x', 201)}");
        Assert.Equal(400, bad.Code);
        Assert.True(bad.Json.GetProperty("errors").TryGetProperty("q", out _));
    }
}
