using System.Text.Json;
using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>Job dependencies over HTTP: the edges on a job, editing them (cycles and bad entries refused, nothing stored), the chain filter.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class DependencyApiTests(AdminApiFixture api)
{
    private const string Up = "t-api-dep-up";
    private const string Down = "t-api-dep-down";

    [Fact]
    public async Task AJobShowsItsEdges_ABrokenOneSaysWhy_AndTheListFiltersByChain()
    {
        using var viewer = api.ClientFor("viewer");
        var down = await viewer.FetchAsync($"/api/cron/jobs/{Down}");
        Assert.Equal(200, down.Code);
        var edge = Assert.Single(down.Json.GetProperty("upstreams").EnumerateArray());
        Assert.Equal(Up, edge.GetProperty("slug").GetString());
        Assert.Equal("success", edge.GetProperty("condition").GetString());
        // Test jobs start disabled: the edge cannot signal the job, and the page must say so.
        Assert.Equal($"'{Up}' is disabled", edge.GetProperty("broken").GetString());
        Assert.False(edge.GetProperty("signalled").GetBoolean());
        Assert.Equal("", down.Json.GetProperty("schedule").GetString());
        Assert.Null(down.Json.GetProperty("invalidReason").GetString());

        var up = await viewer.FetchAsync($"/api/cron/jobs/{Up}");
        var downstream = Assert.Single(up.Json.GetProperty("downstreams").EnumerateArray());
        Assert.Equal(Down, downstream.GetProperty("slug").GetString());

        var chain = await viewer.FetchAsync("/api/cron/jobs?chain=true&limit=10000");
        Assert.Equal(200, chain.Code);
        var slugs = chain.Json.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("slug").GetString()).ToList();
        Assert.Contains(Up, slugs);
        Assert.Contains(Down, slugs);
        Assert.DoesNotContain("t-api-list", slugs);
        var alone = await viewer.FetchAsync("/api/cron/jobs?chain=false&limit=10000");
        Assert.DoesNotContain(alone.Json.GetProperty("items").EnumerateArray(), j => j.GetProperty("slug").GetString() == Down);
        // A page of the list judges its jobs' edges and knows their downstreams without the whole graph.
        var listedUp = Assert.Single((await viewer.FetchAsync($"/api/cron/jobs?q={Up}&chain=true")).Json.GetProperty("items").EnumerateArray(),
            j => j.GetProperty("slug").GetString() == Up);
        Assert.Contains(listedUp.GetProperty("downstreams").EnumerateArray(), d => d.GetProperty("slug").GetString() == Down);
        var bad = await viewer.FetchAsync("/api/cron/jobs?chain=maybe");
        Assert.Equal(400, bad.Code);
        Assert.Contains("chain must be true or false", bad.Json.GetProperty("errors").GetProperty("chain")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(200, (await viewer.FetchAsync($"/api/cron/jobs/{Down}/executions?trigger=dependency")).Code);
    }

    [Theory]
    [InlineData($$"""{"after":["{{Down}}"]}""", "would make a cycle: t-api-dep-up → t-api-dep-down → t-api-dep-up")]
    [InlineData("""{"after":["no-such-job"]}""", "There is no job 'no-such-job' to run after.")]
    [InlineData("""{"after":["Not A Slug"]}""", "'Not A Slug' in after is not a job slug")]
    [InlineData("""{"after":["t-api-list:sometimes"]}""", "Unknown condition 'sometimes'")]
    [InlineData("""{"after":["t-api-list","t-api-list:failure"]}""", "'t-api-list' is named twice")]
    [InlineData("""{"after":[null]}""", "Each entry of after is a job slug")]
    public async Task ABadEdgeIsRefusedWithTheFieldNamed_AndNothingIsStored(string body, string message)
    {
        using var admin = api.ClientFor("admin");
        var before = await admin.FetchAsync($"/api/cron/jobs/{Up}");
        var refused = await admin.SendAsync("PATCH", $"/api/cron/jobs/{Up}", body);
        Assert.True(refused.Code == 400, refused.ToString());
        var errors = refused.Json.GetProperty("errors").GetProperty("after").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(errors, e => e!.Contains(message, StringComparison.Ordinal));
        var after = await admin.FetchAsync($"/api/cron/jobs/{Up}");
        Assert.Equal(before.Json.GetProperty("version").GetInt32(), after.Json.GetProperty("version").GetInt32());
        Assert.Equal(0, after.Json.GetProperty("upstreams").GetArrayLength());
    }

    [Fact]
    public async Task AnAdminChangesTheEdges_Audited_AndAnOperatorMayNot()
    {
        using var admin = api.ClientFor("admin");
        using var operatorClient = api.ClientFor("operator");
        var forbidden = await operatorClient.SendAsync("PATCH", $"/api/cron/jobs/{Down}", $$"""{"after":["{{Up}}:completion"]}""");
        Assert.Equal(403, forbidden.Code);

        try
        {
            await ChangeAndCheckAsync(admin);
        }
        finally
        {
            // The other tests of this class read the edge as defined.
            Assert.Equal(200, (await admin.SendAsync("PATCH", $"/api/cron/jobs/{Down}", $$"""{"after":["{{Up}}"]}""")).Code);
        }
    }

    private static async Task ChangeAndCheckAsync(HttpClient admin)
    {
        var changed = await admin.SendAsync("PATCH", $"/api/cron/jobs/{Down}", $$"""{"after":["{{Up}}:completion"]}""");
        Assert.True(changed.Code == 200, changed.ToString());
        Assert.Equal("completion", Assert.Single(changed.Json.GetProperty("upstreams").EnumerateArray()).GetProperty("condition").GetString());
        Assert.Contains("after", changed.Json.GetProperty("overriddenFields").EnumerateArray().Select(f => f.GetString()));

        var audit = await admin.FetchAsync($"/api/cron/audit?jobSlug={Down}&action=job.update");
        var entry = audit.Json.GetProperty("items").EnumerateArray().First();
        Assert.Equal($"""["{Up}:success"]""", JsonSerializer.Serialize(entry.GetProperty("oldValues").GetProperty("after")));
        Assert.Equal($"""["{Up}:completion"]""", JsonSerializer.Serialize(entry.GetProperty("newValues").GetProperty("after")));

        // Leaving a job with neither a schedule nor upstreams would mean it never runs: refused.
        var never = await admin.SendAsync("PATCH", $"/api/cron/jobs/{Down}", """{"after":[]}""");
        Assert.Equal(400, never.Code);
        Assert.True(never.Json.GetProperty("errors").TryGetProperty("after", out _), never.ToString());
    }
}
