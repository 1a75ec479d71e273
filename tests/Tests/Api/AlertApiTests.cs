using System.Text.Json;
using Totallator.Grains.Alerts;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>Alert rules, test messages and the delivery log over HTTP, against a real AdminApi on a PostgreSQL cluster.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class AlertApiTests(AdminApiFixture api)
{
    private const string SlackToken = "T0001/B0002/sEcReTtOkEn";
    private const string Secret = "hmac-secret-never-shown";

    [Fact]
    public async Task ARule_IsMadeChangedAndDeleted_NeverShowingItsSecretOrTheUrlsToken_AndAudited()
    {
        using var admin = api.ClientFor("admin");
        var name = "api-rule-" + Guid.NewGuid().ToString("N")[..6];
        var made = await admin.PostJsonAsync("/api/cron/alerts/rules", $$"""
            {"name":"{{name}}","jobSlug":"t-api-matrix","events":["failed","timed_out","recovered"],"channel":"slack",
             "url":"https://hooks.slack.com/services/{{SlackToken}}","secret":"{{Secret}}","repeatEvery":"00:30:00"}
            """);
        Assert.True(made.Code == 201, made.ToString());
        Assert.Equal(("slack", "https://hooks.slack.com/…", true, "00:30:00"), (made.Json.GetProperty("channel").GetString(),
            made.Json.GetProperty("destination").GetString(), made.Json.GetProperty("hasSecret").GetBoolean(), made.Json.GetProperty("repeatEvery").GetString()));
        Assert.Equal(["failed", "timed_out", "recovered"], made.Json.GetProperty("events").EnumerateArray().Select(e => e.GetString()));

        var version = made.Json.GetProperty("version").GetInt32();
        var changed = await admin.SendAsync("PUT", $"/api/cron/alerts/rules/{name}", $$"""
            {"events":["failed"],"channel":"slack","expectedVersion":{{version}}}
            """);
        Assert.True(changed.Code == 200, changed.ToString());
        Assert.True(changed.Json.GetProperty("hasSecret").GetBoolean());
        var stale = await admin.SendAsync("PUT", $"/api/cron/alerts/rules/{name}", $$"""{"events":["failed"],"channel":"slack","expectedVersion":{{version}}}""");
        Assert.Equal(412, stale.Code);
        var taken = await admin.PostJsonAsync("/api/cron/alerts/rules", $$"""{"name":"{{name}}","events":["failed"],"channel":"webhook","url":"https://x.example/h"}""");
        Assert.Equal(409, taken.Code);

        var everything = (await admin.FetchAsync("/api/cron/alerts/rules")).Body + (await admin.FetchAsync($"/api/cron/audit?limit=200")).Body;
        Assert.Contains(name, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("sEcReTtOkEn", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, everything, StringComparison.Ordinal);
        var actions = (await admin.FetchAsync("/api/cron/audit?action=alert.update")).Json.GetProperty("items");
        Assert.Contains(actions.EnumerateArray(), a => a.GetProperty("target").GetString() == name && a.GetProperty("actor").GetString() == "test-admin");

        Assert.Equal(204, (await admin.SendAsync("DELETE", $"/api/cron/alerts/rules/{name}")).Code);
        Assert.Equal(404, (await admin.SendAsync("DELETE", $"/api/cron/alerts/rules/{name}")).Code);
    }

    [Theory]
    [InlineData("""{"name":"Bad Name","events":["failed"],"channel":"webhook","url":"https://x.example/h"}""", "name")]
    [InlineData("""{"name":"ok-rule","events":["exploded"],"channel":"webhook","url":"https://x.example/h"}""", "events")]
    [InlineData("""{"name":"ok-rule","events":["failed"],"channel":"pigeon","url":"https://x.example/h"}""", "channel")]
    [InlineData("""{"name":"ok-rule","events":["failed"],"channel":"webhook","url":"file:///etc/passwd"}""", "url")]
    [InlineData("""{"name":"ok-rule","events":["stale"],"channel":"webhook","url":"https://x.example/h"}""", "expectSuccessWithin")]
    [InlineData("""{"name":"ok-rule","events":["failed"],"channel":"webhook","url":"https://x.example/h","repeatEvery":"00:00:05"}""", "repeatEvery")]
    [InlineData("""{"name":"ok-rule","events":["failed"],"channel":"webhook","url":"https://x.example/h","repeatEvery":"soon"}""", "repeatEvery")]
    [InlineData("""{"name":"ok-rule","events":["failed"],"channel":"webhook","url":"https://x.example/h","command":"rm"}""", "command")]
    public async Task ABadRule_Is400NamingTheField_AndNothingIsStored(string body, string field)
    {
        using var admin = api.ClientFor("admin");
        var refused = await admin.PostJsonAsync("/api/cron/alerts/rules", body);
        Assert.True(refused.Code == 400, refused.ToString());
        Assert.True(refused.Json.GetProperty("errors").TryGetProperty(field, out _), refused.ToString());
        Assert.DoesNotContain("ok-rule", (await admin.FetchAsync("/api/cron/alerts/rules")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATestMessage_ReachesARealReceiver_Signed_AndTheDeliveryLogSaysSo()
    {
        using var receiver = new WebhookReceiver(FreePorts.Many(1)[0]);
        receiver.Up();
        using var admin = api.ClientFor("admin");
        var name = "api-test-" + Guid.NewGuid().ToString("N")[..6];
        Assert.Equal(201, (await admin.PostJsonAsync("/api/cron/alerts/rules", $$"""
            {"name":"{{name}}","events":["failed"],"channel":"webhook","url":"{{receiver.Url}}","secret":"{{Secret}}"}
            """)).Code);
        try
        {
            var queued = await admin.PostJsonAsync($"/api/cron/alerts/rules/{name}/test");
            Assert.True(queued.Code == 202, queued.ToString());
            var id = queued.Json.GetProperty("id").GetGuid();

            var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
            while (receiver.Requests.Count == 0 && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            var request = Assert.Single(receiver.Requests);
            Assert.Equal(id.ToString(), request.Headers[WebhookSignature.DeliveryHeader]);
            Assert.True(WebhookSignature.Verify(Secret, long.Parse(request.Headers[WebhookSignature.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture),
                request.Body, request.Headers[WebhookSignature.SignatureHeader]));
            var message = JsonDocument.Parse(request.Body).RootElement;
            Assert.Equal(("test", name), (message.GetProperty("type").GetString(), message.GetProperty("rule").GetString()));

            JsonElement logged = default;
            while (DateTimeOffset.UtcNow < deadline)
            {
                logged = (await admin.FetchAsync($"/api/cron/alerts/deliveries?rule={name}")).Json[0];
                if (logged.GetProperty("status").GetString() == "sent")
                {
                    break;
                }
                await Task.Delay(100);
            }
            Assert.Equal(("sent", 204, 1), (logged.GetProperty("status").GetString(), logged.GetProperty("lastResponseCode").GetInt32(), logged.GetProperty("attempts").GetInt32()));
            using var viewer = api.ClientFor("viewer");
            Assert.Equal(400, (await viewer.FetchAsync("/api/cron/alerts/deliveries?status=lost")).Code);
        }
        finally
        {
            await admin.SendAsync("DELETE", $"/api/cron/alerts/rules/{name}");
        }
    }

    [Fact]
    public async Task TheCircuitBreakerIsAJobSetting_WithBounds()
    {
        using var admin = api.ClientFor("admin");
        var job = await admin.FetchAsync("/api/cron/jobs/t-api-matrix");
        var etag = job.Headers.ETag!.Tag;
        var refused = await admin.SendAsync("PATCH", "/api/cron/jobs/t-api-matrix", """{"pauseAfterFailures":5000}""", new Dictionary<string, string> { ["If-Match"] = etag });
        Assert.True(refused.Code == 400, refused.ToString());
        Assert.True(refused.Json.GetProperty("errors").TryGetProperty("pauseAfterFailures", out _), refused.ToString());

        var set = await admin.SendAsync("PATCH", "/api/cron/jobs/t-api-matrix", """{"pauseAfterFailures":5}""", new Dictionary<string, string> { ["If-Match"] = etag });
        Assert.True(set.Code == 200, set.ToString());
        Assert.Equal((5, 0), (set.Json.GetProperty("pauseAfterFailures").GetInt32(), set.Json.GetProperty("failureStreak").GetInt32()));
        var off = await admin.SendAsync("PATCH", "/api/cron/jobs/t-api-matrix", """{"pauseAfterFailures":0}""", new Dictionary<string, string> { ["If-Match"] = set.Headers.ETag!.Tag });
        Assert.True(off.Code == 200, off.ToString());
        Assert.False(off.Json.TryGetProperty("pauseAfterFailures", out var p) && p.ValueKind != JsonValueKind.Null);
    }
}
