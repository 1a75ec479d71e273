using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// Every endpoint with every role and with no credentials. Allowed calls are shaped so they change nothing that matters (a body
/// that fails validation, an unknown id), and must answer the handler's status, proving they got past authorization.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class AuthorizationMatrixTests(AdminApiFixture api)
{
    private const string Job = "/api/cron/jobs/t-api-matrix";
    private static readonly string NoSuchId = Guid.NewGuid().ToString();

    // method, path, body, lowest role allowed, status when allowed
    public static TheoryData<string, string, string?, string, int> Endpoints() => new()
    {
        { "GET", "/api/cron/jobs", null, "viewer", 200 },
        { "GET", Job, null, "viewer", 200 },
        { "PATCH", Job, "{}", "admin", 400 },
        { "POST", "/api/cron/jobs", "{}", "admin", 400 },
        { "DELETE", "/api/cron/jobs/t-api-no-such-job", null, "admin", 404 },
        { "POST", Job + "/enable", null, "operator", 200 },
        { "POST", Job + "/disable", null, "operator", 200 },
        { "POST", "/api/cron/jobs/t-api-no-such-job/trigger", null, "operator", 404 },
        { "GET", Job + "/executions", null, "viewer", 200 },
        { "GET", Job + "/trend?period=30d", null, "viewer", 200 },
        { "GET", "/api/cron/failure-rates?period=7d", null, "viewer", 200 },
        { "GET", $"/api/cron/executions/{NoSuchId}", null, "viewer", 404 },
        { "POST", $"/api/cron/executions/{NoSuchId}/cancel", null, "operator", 404 },
        { "POST", "/api/cron/executions/cleanup", """{"olderThanDays":3650}""", "admin", 200 },
        { "GET", "/api/cron/executions/cleanup?olderThanDays=3650", null, "admin", 200 },
        { "GET", "/api/cron/config", null, "viewer", 200 },
        { "PUT", "/api/cron/config", "{}", "admin", 400 },
        { "POST", "/api/cron/schedule/preview", """{"schedule":"*/5 * * * *"}""", "viewer", 200 },
        { "GET", "/api/cron/audit", null, "viewer", 200 },
        { "GET", "/api/cron/keys", null, "admin", 200 },
        { "POST", "/api/cron/keys", """{"name":"matrix","role":"superuser"}""", "admin", 400 },
        { "DELETE", $"/api/cron/keys/{NoSuchId}", null, "admin", 404 },
        { "GET", "/api/cron/session", null, "viewer", 200 },
        { "GET", "/api/cron/alerts/rules", null, "viewer", 200 },
        { "POST", "/api/cron/alerts/rules", "{}", "admin", 400 },
        { "PUT", "/api/cron/alerts/rules/no-such-rule", "{}", "admin", 400 },
        { "DELETE", "/api/cron/alerts/rules/no-such-rule", null, "admin", 404 },
        { "POST", "/api/cron/alerts/rules/no-such-rule/test", null, "admin", 404 },
        { "GET", "/api/cron/alerts/deliveries", null, "viewer", 200 },
    };

    private static readonly string[] Ranks = ["viewer", "operator", "admin"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task EveryRoleGetsWhatItsRankAllows(string method, string path, string? body, string lowestRole, int allowedStatus)
    {
        using (var anonymous = api.ClientFor(null))
        {
            var response = await anonymous.SendAsync(method, path, body);
            Assert.True(response.Code == 401, $"{method} {path} without credentials: expected 401, got {response}");
            Assert.Contains("Authentication required", response.Body, StringComparison.Ordinal);
        }
        foreach (var role in Ranks)
        {
            using var client = api.ClientFor(role);
            var response = await client.SendAsync(method, path, body);
            var allowed = Array.IndexOf(Ranks, role) >= Array.IndexOf(Ranks, lowestRole);
            var expected = allowed ? allowedStatus : 403;
            Assert.True(response.Code == expected, $"{method} {path} as {role}: expected {expected}, got {response}");
        }
    }

    [Fact]
    public async Task AWrongKeyIsRefusedLikeNoKey()
    {
        using var client = api.Client("tcron_not-a-real-key");
        var response = await client.FetchAsync("/api/cron/jobs");
        Assert.Equal(401, response.Code);
        Assert.Contains("not valid or has been revoked", response.ProblemText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthAndApiDescriptionNeedNoKey()
    {
        using var client = api.ClientFor(null);
        Assert.Equal(200, (await client.FetchAsync("/health/live")).Code);
        var ready = await client.FetchAsync("/health/ready");
        Assert.True(ready.Code == 200, $"ready: {ready}");
        var openApi = await client.FetchAsync("/openapi/v1.json");
        Assert.Equal(200, openApi.Code);
        foreach (var path in new[] { "/api/cron/jobs", "/api/cron/jobs/{slug}/trigger", "/api/cron/executions/cleanup", "/api/cron/audit", "/api/cron/schedule/preview" })
        {
            Assert.True(openApi.Json.GetProperty("paths").TryGetProperty(path, out _), $"OpenAPI document lacks {path}");
        }
        var reference = await client.FetchAsync("/api/reference");
        Assert.Equal(200, reference.Code);
        Assert.Contains("<html", reference.Body, StringComparison.OrdinalIgnoreCase);
    }
}
