using System.Net;
using System.Text.Json;
using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>Browser sessions: sign in with a key, the cookie works, state changes need the antiforgery token, revoked keys end sessions.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class SessionTests(AdminApiFixture api)
{
    private const string Slug = "t-api-session";

    [Fact]
    public async Task ACookieSessionNeedsTheAntiforgeryTokenToChangeAnything()
    {
        using var browser = Browser();
        var signIn = await browser.PostJsonAsync("/api/cron/session", JsonSerializer.Serialize(new { apiKey = api.OperatorKey }));
        Assert.True(signIn.Code == 200, signIn.ToString());
        Assert.Equal("test-operator", signIn.Json.GetProperty("name").GetString());
        Assert.Equal("operator", signIn.Json.GetProperty("role").GetString());
        var token = signIn.Json.GetProperty("antiforgeryToken").GetString()!;
        Assert.Equal(200, (await browser.FetchAsync("/api/cron/jobs")).Code);

        var forged = await browser.PostJsonAsync($"/api/cron/jobs/{Slug}/enable");
        Assert.Equal(403, forged.Code);
        Assert.Contains("X-CSRF-TOKEN", forged.ProblemText, StringComparison.Ordinal);
        Assert.False((await api.Cluster.Store.GetJobAsync(Slug, CancellationToken.None))!.IsEnabled, "a request without the token must change nothing");

        var withToken = await browser.SendAsync("POST", $"/api/cron/jobs/{Slug}/enable", null, new Dictionary<string, string> { ["X-CSRF-TOKEN"] = token });
        Assert.True(withToken.Code == 200, withToken.ToString());
        Assert.True((await api.Cluster.Store.GetJobAsync(Slug, CancellationToken.None))!.IsEnabled);
        await browser.SendAsync("POST", $"/api/cron/jobs/{Slug}/disable", null, new Dictionary<string, string> { ["X-CSRF-TOKEN"] = token });

        Assert.Equal(204, (await browser.SendAsync("DELETE", "/api/cron/session", null, new Dictionary<string, string> { ["X-CSRF-TOKEN"] = token })).Code);
        Assert.Equal(401, (await browser.FetchAsync("/api/cron/jobs")).Code);
    }

    [Fact]
    public async Task AWrongKeyCannotSignIn()
    {
        using var browser = Browser();
        var response = await browser.PostJsonAsync("/api/cron/session", """{"apiKey":"tcron_guess"}""");
        Assert.Equal(401, response.Code);
        Assert.Equal(401, (await browser.FetchAsync("/api/cron/jobs")).Code);
    }

    [Fact]
    public async Task RevokingAKeyEndsItsSessionsAndItsUse()
    {
        using var admin = api.ClientFor("admin");
        var created = (await admin.PostJsonAsync("/api/cron/keys", """{"name":"short-lived","role":"viewer"}""")).Json;
        var key = created.GetProperty("key").GetString()!;
        Assert.StartsWith(created.GetProperty("prefix").GetString()!, key, StringComparison.Ordinal);
        var listed = (await admin.FetchAsync("/api/cron/keys")).Body;
        Assert.DoesNotContain(key, listed, StringComparison.Ordinal);

        using var browser = Browser();
        Assert.Equal(200, (await browser.PostJsonAsync("/api/cron/session", JsonSerializer.Serialize(new { apiKey = key }))).Code);
        using var machine = api.Client(key);
        Assert.Equal(200, (await machine.FetchAsync("/api/cron/jobs")).Code);

        Assert.Equal(204, (await admin.SendAsync("DELETE", $"/api/cron/keys/{created.GetProperty("id").GetString()}")).Code);
        await Task.Delay(500); // the fixture's key cache holds answers for 200 ms

        Assert.Equal(401, (await machine.FetchAsync("/api/cron/jobs")).Code);
        Assert.Equal(401, (await browser.FetchAsync("/api/cron/jobs")).Code);
        var audit = (await admin.FetchAsync("/api/cron/audit?action=apikey.revoke")).Json.GetProperty("items")[0];
        Assert.DoesNotContain(key, audit.ToString(), StringComparison.Ordinal);
    }

    private HttpClient Browser() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), UseCookies = true }) { BaseAddress = api.BaseAddress };
}
