using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// Bad input answers 4xx with a message that says what is wrong, never 500, and changes nothing: after each case the job, the
/// global settings and the audit trail are exactly as before.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class BadInputTests(AdminApiFixture api)
{
    private const string Job = "/api/cron/jobs/t-api-bad";
    private const string Executions = Job + "/executions";
    private static readonly string Huge = "{\"schedule\":\"" + new string('*', 100_000) + "\"}";

    // method, path, JSON body, extra header "Name: value", expected status, what the answer must say
    public static TheoryData<string, string, string?, string?, int, string> Cases() => new()
    {
        { "PATCH", Job, """{"schedule":"not a cron"}""", null, 400, "[schedule]" },
        { "PATCH", Job, """{"schedule":"* * *"}""", null, 400, "[schedule]" },
        { "PATCH", Job, """{"schedule":"0 0 30 2 *"}""", null, 400, "never" },
        { "PATCH", Job, """{"schedule":"0 ${TOTALLATOR_TEST_UNSET_VARIABLE} * * *"}""", null, 400, "TOTALLATOR_TEST_UNSET_VARIABLE" },
        { "PATCH", Job, """{"schedule":"61 * * * *"}""", null, 400, "[schedule]" },
        { "PATCH", Job, """{"timeZone":"Mars/Olympus_Mons"}""", null, 400, "Unknown time zone 'Mars/Olympus_Mons'" },
        { "PATCH", Job, """{"timeoutMs":-5}""", null, 400, "timeoutMs must be between 1 and" },
        { "PATCH", Job, """{"timeoutMs":0}""", null, 400, "timeoutMs must be between 1 and" },
        { "PATCH", Job, """{"timeoutMs":86400001}""", null, 400, "timeoutMs must be between 1 and" },
        { "PATCH", Job, """{"timeoutMs":99999999999}""", null, 400, "[timeoutMs] The value of 'timeoutMs' is malformed" },
        { "PATCH", Job, """{"timeoutMs":"soon"}""", null, 400, "[timeoutMs]" },
        { "PATCH", Job, """{"maxRetries":-1}""", null, 400, "maxRetries must be between 0 and 100" },
        { "PATCH", Job, """{"maxRetries":101}""", null, 400, "maxRetries must be between 0 and 100" },
        { "PATCH", Job, """{"misfirePolicy":"sometimes"}""", null, 400, "[misfirePolicy]" },
        { "PATCH", Job, """{"misfirePolicy":1}""", null, 400, "[misfirePolicy]" },
        { "PATCH", Job, """{"enabled":"yes"}""", null, 400, "[enabled]" },
        { "PATCH", Job, """{"colour":"red"}""", null, 400, "Unknown field 'colour'" },
        { "PATCH", Job, """{"schedule":"* * * * *","isAdmin":true}""", null, 400, "Unknown field 'isAdmin'" },
        { "PATCH", Job, "{}", null, 400, "Nothing to change" },
        { "PATCH", Job, """{"schedule": """, null, 400, "The value of 'schedule' is malformed" },
        { "PATCH", Job, """{"schedule":"* * * * *" """, null, 400, "[body]" },
        { "PATCH", Job, "[1,2,3]", null, 400, "[body]" },
        { "PATCH", Job, "{\"schedule\":\"" + new string('1', 300) + "\"}", null, 400, "at most 200 characters" },
        { "PATCH", Job, Huge, null, 413, "at most" },
        { "PATCH", Job, """{"maxRetries":2}""", "If-Match: not-an-etag", 400, "[If-Match]" },
        { "PATCH", Job, """{"maxRetries":2}""", "If-Match: \"999\"", 412, "changed by someone else" },
        { "PATCH", "/api/cron/jobs/t-api-no-such-job", """{"maxRetries":2}""", null, 404, "No job with slug 't-api-no-such-job'" },
        { "PATCH", "/api/cron/jobs/Bad_Slug!", """{"maxRetries":2}""", null, 404, "No job with slug" },
        { "POST", "/api/cron/jobs/t-api-bad/trigger", """{"override":"please"}""", null, 400, "[override]" },
        { "POST", "/api/cron/jobs/t-api-bad/trigger", null, "Idempotency-Key: " + new string('k', 300), 400, "[Idempotency-Key]" },
        { "GET", Executions + "?status=exploded", null, null, 400, "Unknown status 'exploded'" },
        { "GET", Executions + "?trigger=cosmic_ray", null, null, 400, "Unknown trigger 'cosmic_ray'" },
        { "GET", Executions + "?from=yesterday", null, null, 400, "ISO 8601" },
        { "GET", Executions + "?limit=0", null, null, 400, "limit must be a whole number from 1 to 500" },
        { "GET", Executions + "?limit=501", null, null, 400, "limit must be a whole number from 1 to 500" },
        { "GET", Executions + "?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", null, null, 400, "from must be earlier than to" },
        { "GET", "/api/cron/executions/not-a-guid", null, null, 404, "" },
        { "GET", "/api/cron/audit?offset=-3", null, null, 400, "offset must be a whole number" },
        { "POST", "/api/cron/executions/cleanup", """{"olderThanDays":-1}""", null, 400, "olderThanDays must be from 0 to 3650" },
        { "PUT", "/api/cron/config", """{"historyRetentionDays":0}""", null, 400, "[historyRetentionDays]" },
        { "PUT", "/api/cron/config", """{"defaultTimeZone":"Nowhere/Zone"}""", null, 400, "[defaultTimeZone]" },
        { "PUT", "/api/cron/config", """{"defaultTimeoutMs":-1}""", null, 400, "[defaultTimeoutMs]" },
        { "PUT", "/api/cron/config", """{"schedulingPaused":"maybe"}""", null, 400, "[schedulingPaused]" },
        { "POST", "/api/cron/schedule/preview", """{"schedule":"61 * * * *"}""", null, 400, "[schedule]" },
        { "POST", "/api/cron/schedule/preview", """{"schedule":"* * * * *","timeZone":"Foo/Bar"}""", null, 400, "[timeZone]" },
        { "POST", "/api/cron/schedule/preview", """{"schedule":"* * * * *","count":0}""", null, 400, "count must be from 1 to 100" },
        { "POST", "/api/cron/schedule/preview", """{"timeZone":"UTC"}""", null, 400, "schedule is required" },
        { "POST", "/api/cron/keys", """{"name":"","role":"viewer"}""", null, 400, "[name]" },
        { "POST", "/api/cron/keys", """{"name":"<script>alert(1)</script>","role":"viewer"}""", null, 400, "[name]" },
        { "POST", "/api/cron/keys", """{"name":"x","role":"root"}""", null, 400, "role must be viewer, operator or admin" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInputIsRefusedWithAClearMessageAndChangesNothing(string method, string path, string? body, string? header, int status, string says)
    {
        using var admin = api.ClientFor("admin");
        var before = await StateAsync(admin);
        var headers = header is null ? null : new Dictionary<string, string> { [header[..header.IndexOf(':', StringComparison.Ordinal)]] = header[(header.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim() };

        var response = await admin.SendAsync(method, path, body, headers);

        Assert.True(response.Code == status, $"{method} {path}: expected {status}, got {response}");
        if (says.Length > 0)
        {
            Assert.Contains(says, response.ProblemText, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("   at ", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("Totallator.", response.Body, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync(admin));
    }

    [Fact]
    public async Task AWrongContentTypeIsRefused()
    {
        using var admin = api.ClientFor("admin");
        var before = await StateAsync(admin);
        var response = await admin.SendAsync("PATCH", Job, "maxRetries=3", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(415, response.Code);
        Assert.Equal(before, await StateAsync(admin));
    }

    // What must not change: the job's stored configuration and version, the settings, and the newest audit row.
    private static async Task<string> StateAsync(HttpClient admin)
    {
        var job = (await admin.FetchAsync(Job)).Json;
        var settings = (await admin.FetchAsync("/api/cron/config")).Body;
        var audit = (await admin.FetchAsync("/api/cron/audit?limit=1")).Json.GetProperty("items");
        var newestAudit = audit.GetArrayLength() == 0 ? "none" : audit[0].GetProperty("id").GetString();
        string F(string name) => job.GetProperty(name).ToString();
        return string.Join("|", F("version"), F("schedule"), F("timeZone"), F("timeoutMs"), F("maxRetries"), F("misfirePolicy"), F("isEnabled"),
            settings, newestAudit);
    }
}
