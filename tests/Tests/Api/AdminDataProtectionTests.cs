using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Totallator.AdminApi.Security;
using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// Several AdminApi replicas behind a load balancer: with <c>Admin:DataProtection:KeysDirectory</c> shared, a session cookie and
/// antiforgery token issued by one replica work on another; a replica with its own key ring refuses them.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class AdminDataProtectionTests(AdminApiFixture api) : IDisposable
{
    private readonly string _keys = Directory.CreateTempSubdirectory("totallator-dp-").FullName;

    [Fact]
    public async Task ASessionFromOneReplicaWorksOnAnother_WhenTheyShareTheKeysDirectory()
    {
        await using var first = await StartAsync(_keys);
        await using var second = await StartAsync(_keys);
        var (cookies, token) = await SignInAsync(first);

        var list = await SendAsync(second, HttpMethod.Get, "/api/cron/jobs", cookies, token: null);
        Assert.True(list.StatusCode == HttpStatusCode.OK, $"the second replica should accept the first one's session cookie; got {(int)list.StatusCode}");
        // A state change needs the antiforgery pair (cookie + header) issued by the first replica: refused without the header,
        // accepted with it, so the second replica really decrypted the first one's antiforgery cookie.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(second, HttpMethod.Delete, "/api/cron/session", cookies, token: null)).StatusCode);
        var signOut = await SendAsync(second, HttpMethod.Delete, "/api/cron/session", cookies, token);
        Assert.True(signOut.StatusCode == HttpStatusCode.NoContent, $"the second replica should accept the first one's antiforgery token; got {(int)signOut.StatusCode}");
        Assert.NotEmpty(Directory.GetFiles(_keys, "key-*.xml"));
    }

    [Fact]
    public async Task ASessionFromOneReplicaIsRefusedByAnother_WithoutTheSharedKeysDirectory()
    {
        await using var first = await StartAsync(_keys);
        await using var second = await StartAsync(keysDirectory: null);
        var (cookies, _) = await SignInAsync(first);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(first, HttpMethod.Get, "/api/cron/jobs", cookies, token: null)).StatusCode);
        var list = await SendAsync(second, HttpMethod.Get, "/api/cron/jobs", cookies, token: null);
        Assert.True(list.StatusCode == HttpStatusCode.Unauthorized,
            $"a replica with its own key ring cannot read the cookie, so the caller is not signed in there; got {(int)list.StatusCode}");
    }

    private async Task<Replica> StartAsync(string? keysDirectory)
    {
        var settings = new Dictionary<string, string?>();
        if (keysDirectory is not null)
        {
            settings["Admin:DataProtection:KeysDirectory"] = keysDirectory;
        }
        return new Replica(await AdminApiFixture.StartApiAsync(api.Cluster, settings));
    }

    // Cookies are handled by hand: a cookie jar would scope them by host only (not port), which hides which replica got what.
    private async Task<(string Cookies, string Token)> SignInAsync(Replica replica)
    {
        using var client = Client(replica);
        using var response = await client.PostAsJsonAsync("/api/cron/session", new { apiKey = api.OperatorKey });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"sign-in on the first replica failed: {(int)response.StatusCode} {body}");
        var cookies = response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        Assert.Contains(cookies, c => c.StartsWith(AdminAuthentication.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains(cookies, c => c.StartsWith("totallator.antiforgery=", StringComparison.Ordinal));
        return (string.Join("; ", cookies), JsonDocument.Parse(body).RootElement.GetProperty("antiforgeryToken").GetString()!);
    }

    private static async Task<HttpResponseMessage> SendAsync(Replica replica, HttpMethod method, string path, string cookies, string? token)
    {
        using var client = Client(replica);
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookies);
        if (token is not null)
        {
            request.Headers.Add(SessionAntiforgeryFilter.HeaderName, token);
        }
        return await client.SendAsync(request);
    }

    private static HttpClient Client(Replica replica) =>
        new(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(replica.App.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose() => Directory.Delete(_keys, recursive: true);

    private sealed class Replica(WebApplication app) : IAsyncDisposable
    {
        public WebApplication App { get; } = app;

        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
