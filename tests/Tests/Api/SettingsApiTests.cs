using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>Global settings and schedule previews over HTTP.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class SettingsApiTests(AdminApiFixture api)
{
    [Fact]
    public async Task SettingsChangeAreStoredAuditedAndPauseStopsNextFireTimes()
    {
        using var admin = api.ClientFor("admin");
        var before = (await admin.FetchAsync("/api/cron/config")).Json;
        Assert.False(before.GetProperty("schedulingPaused").GetBoolean());

        var paused = await admin.SendAsync("PUT", "/api/cron/config", """{"schedulingPaused":true,"historyRetentionDays":45}""");
        try
        {
            Assert.True(paused.Code == 200, paused.ToString());
            Assert.True(paused.Json.GetProperty("schedulingPaused").GetBoolean());
            Assert.Equal(45, paused.Json.GetProperty("historyRetentionDays").GetInt32());
            Assert.Equal("test-admin", paused.Json.GetProperty("updatedBy").GetString());
            var audit = (await admin.FetchAsync("/api/cron/audit?action=settings.update")).Json.GetProperty("items")[0];
            Assert.True(audit.GetProperty("newValues").GetProperty("schedulingPaused").GetBoolean());
            Assert.Equal(30, audit.GetProperty("oldValues").GetProperty("historyRetentionDays").GetInt32());

            using var operatorClient = api.ClientFor("operator");
            var enabled = await operatorClient.PostJsonAsync("/api/cron/jobs/t-api-matrix/enable");
            Assert.Equal(0, enabled.Json.GetProperty("nextFireTimes").GetArrayLength());
            await operatorClient.PostJsonAsync("/api/cron/jobs/t-api-matrix/disable");
        }
        finally
        {
            var restored = await admin.SendAsync("PUT", "/api/cron/config", """{"schedulingPaused":false,"historyRetentionDays":30}""");
            Assert.Equal(200, restored.Code);
        }
    }

    [Fact]
    public async Task AuditRetentionIsASettingWithBounds_AndEveryCleanupAppliesIt()
    {
        using var admin = api.ClientFor("admin");
        Assert.Equal(365, (await admin.FetchAsync("/api/cron/config")).Json.GetProperty("auditRetentionDays").GetInt32());
        var refused = await admin.SendAsync("PUT", "/api/cron/config", """{"auditRetentionDays":0}""");
        Assert.Equal(400, refused.Code);
        Assert.Contains("auditRetentionDays", refused.Body, StringComparison.Ordinal);
        Assert.Equal(365, (await admin.FetchAsync("/api/cron/config")).Json.GetProperty("auditRetentionDays").GetInt32());

        // A row older than the retention, as a long-lived cluster would have.
        await using (var db = Npgsql.NpgsqlDataSource.Create(api.Cluster.ConnectionString))
        {
            await using var insert = db.CreateCommand("INSERT INTO cronAudit (id, at, actor, action) VALUES (gen_random_uuid(), now() - interval '400 days', 'old-admin', 'job.update')");
            await insert.ExecuteNonQueryAsync();
        }
        var rowsBefore = (await admin.FetchAsync("/api/cron/audit?limit=1")).Json.GetProperty("trailRows").GetInt64();

        // A cleanup of the history keeps the audit trail to its own retention, whatever olderThanDays asks.
        var cleanup = await admin.PostJsonAsync("/api/cron/executions/cleanup", """{"olderThanDays":3650}""");

        Assert.True(cleanup.Code == 200, cleanup.ToString());
        Assert.Equal(1, cleanup.Json.GetProperty("auditDeleted").GetInt32());
        var page = (await admin.FetchAsync("/api/cron/audit?action=executions.cleanup&limit=1")).Json;
        Assert.Equal(rowsBefore, page.GetProperty("trailRows").GetInt64()); // one deleted, the cleanup's own row added
        Assert.Equal(365, page.GetProperty("items")[0].GetProperty("newValues").GetProperty("auditRetentionDays").GetInt32());
        Assert.Empty((await admin.FetchAsync("/api/cron/audit?actor=old-admin")).Json.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task APreviewGivesTheNextFireTimesWithTheZonesOffset()
    {
        using var viewer = api.ClientFor("viewer");
        var response = await viewer.PostJsonAsync("/api/cron/schedule/preview", """{"schedule":"30 2 * * *","timeZone":"Europe/Berlin","count":12}""");
        Assert.True(response.Code == 200, response.ToString());
        Assert.True(response.Json.GetProperty("isValid").GetBoolean());
        var times = response.Json.GetProperty("nextFireTimes").EnumerateArray().Select(t => t.GetDateTimeOffset()).ToList();
        Assert.Equal(12, times.Count);
        Assert.Equal(times.Order(), times);
        Assert.All(times, t => Assert.Equal((2, 30), (t.Hour, t.Minute)));
        Assert.All(times, t => Assert.Contains(t.Offset, new[] { TimeSpan.FromHours(1), TimeSpan.FromHours(2) }));
    }
}
