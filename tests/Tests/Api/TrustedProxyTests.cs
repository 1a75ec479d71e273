using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Totallator.AdminApi.Security;
using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// Behind a TLS-terminating proxy (<c>Admin:TrustedProxies</c>): a request that was HTTPS at the edge gets <c>Secure</c> session and
/// antiforgery cookies, and the client's address from <c>X-Forwarded-For</c>. The same headers from any other address are
/// ignored, so nobody can pretend to be HTTPS or someone else. The tests' requests come from 127.0.0.1.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class TrustedProxyTests(AdminApiFixture api)
{
    private static readonly Dictionary<string, string> EdgeHeaders = new()
    {
        ["X-Forwarded-Proto"] = "https",
        ["X-Forwarded-For"] = "203.0.113.7",
    };

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0/8")]
    public async Task ACookieIssuedThroughATrustedProxyForAnHttpsRequestIsSecure(string trusted)
    {
        await using var app = await StartAsync(trusted);
        var (cookies, connection) = await SignInThroughAsync(app);

        Assert.Contains("secure", Attributes(cookies, AdminAuthentication.CookieName));
        Assert.Contains("secure", Attributes(cookies, "totallator.antiforgery"));
        Assert.Equal("https", connection.GetProperty("scheme").GetString());
        Assert.Equal("203.0.113.7", connection.GetProperty("remoteIp").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("10.1.2.3")]
    [InlineData("192.168.0.0/16")]
    public async Task ForwardedHeadersFromAnUntrustedAddressAreIgnored(string? trusted)
    {
        await using var app = await StartAsync(trusted);
        var (cookies, connection) = await SignInThroughAsync(app);

        Assert.DoesNotContain("secure", Attributes(cookies, AdminAuthentication.CookieName));
        Assert.DoesNotContain("secure", Attributes(cookies, "totallator.antiforgery"));
        Assert.Equal("http", connection.GetProperty("scheme").GetString());
        Assert.Equal("127.0.0.1", connection.GetProperty("remoteIp").GetString());
    }

    private async Task<Replica> StartAsync(string? trusted)
    {
        var settings = new Dictionary<string, string?>();
        if (trusted is not null)
        {
            settings["Admin:TrustedProxies:0"] = trusted;
        }
        // What the API saw of the connection: after the forwarded-headers step, as authentication and rate limits see it.
        return new Replica(await AdminApiFixture.StartApiAsync(api.Cluster, settings, app => app.MapGet("/test/connection", (HttpContext c) =>
            new { scheme = c.Request.Scheme, remoteIp = c.Connection.RemoteIpAddress?.ToString() }).AllowAnonymous()));
    }

    private async Task<(List<string> Cookies, JsonElement Connection)> SignInThroughAsync(Replica app)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = app.Address };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/cron/session") { Content = JsonContent.Create(new { apiKey = api.ViewerKey }) };
        foreach (var (name, value) in EdgeHeaders)
        {
            request.Headers.Add(name, value);
        }
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"sign-in failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();

        using var look = new HttpRequestMessage(HttpMethod.Get, "/test/connection");
        foreach (var (name, value) in EdgeHeaders)
        {
            look.Headers.Add(name, value);
        }
        using var seen = await client.SendAsync(look);
        return (cookies, JsonDocument.Parse(await seen.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>The attributes of the cookie <paramref name="name"/> (lower case, without values), e.g. path, secure, httponly.</summary>
    private static List<string> Attributes(List<string> setCookies, string name)
    {
        var cookie = setCookies.SingleOrDefault(c => c.StartsWith(name + "=", StringComparison.Ordinal));
        Assert.True(cookie is not null, $"no {name} cookie in: {string.Join(" | ", setCookies)}");
        return cookie.Split(';').Skip(1).Select(a => a.Split('=')[0].Trim().ToLowerInvariant()).ToList();
    }

    private sealed class Replica(WebApplication app) : IAsyncDisposable
    {
        public Uri Address { get; } = new(app.Urls.First());

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
