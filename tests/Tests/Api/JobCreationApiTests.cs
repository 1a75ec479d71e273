using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// Jobs created from a job type over HTTP, on the 2-silo PostgreSQL cluster: created, run with their parameters, edited
/// (secrets kept and never shown), deleted with their history kept; refusals name the field and store nothing (issue 14).
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class JobCreationApiTests(AdminApiFixture api)
{
    private const string Secret = "s3cret-t0ken-never-shown";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AnAdminCreatesAJobFromAType_ItRunsWithItsParameters_EditsKeepTheSecret_AndDeleteKeepsTheHistory()
    {
        const string slug = "t-api-typed";
        using var admin = api.ClientFor("admin");
        using var operatorClient = api.ClientFor("operator");
        using var viewer = api.ClientFor("viewer");
        var created = await admin.PostJsonAsync("/api/cron/jobs", $$"""
            {"slug":"{{slug}}","type":"{{TestJobTypes.Name}}","name":"Typed report","description":"made in a test","schedule":"* * * * * *",
             "timeZone":"Europe/Berlin","timeoutMs":5000,"maxRetries":1,"misfirePolicy":"skip","parameters":{"label":"ab","repeat":2,"token":"{{Secret}}"} }
            """);
        Assert.True(created.Code == 201, created.ToString());
        Assert.Equal($"/api/cron/jobs/{slug}", created.Headers.Location?.ToString());
        var job = created.Json;
        Assert.Equal(("api", TestJobTypes.Name, "Europe/Berlin", 5000, "skip", true), (job.GetProperty("source").GetString(), job.GetProperty("jobType").GetString(),
            job.GetProperty("timeZone").GetString(), job.GetProperty("timeoutMs").GetInt32(), job.GetProperty("misfirePolicy").GetString(), job.GetProperty("deletable").GetBoolean()));
        Assert.Equal("""{"label":"ab","repeat":2}""", job.GetProperty("parameters").GetRawText());
        Assert.Equal(["token"], job.GetProperty("secretParameters").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("test-admin", job.GetProperty("createdBy").GetString());
        Assert.DoesNotContain(Secret, created.Body, StringComparison.Ordinal);

        // It runs on the cluster with its parameters, the secret included, which no row records.
        await WaitForOutputAsync(viewer, slug, "abab");
        Assert.Equal(Secret, TestJobTypes.LastRunWith[slug].Token);

        // An edit that leaves the secret out keeps it; a stale ETag changes nothing.
        var etag = created.Headers.ETag!.ToString();
        var edited = await admin.SendAsync("PATCH", $"/api/cron/jobs/{slug}", """{"name":"Typed report, edited","parameters":{"label":"cd"}}""",
            new Dictionary<string, string> { ["If-Match"] = etag });
        Assert.True(edited.Code == 200, edited.ToString());
        Assert.Equal("""{"label":"cd","repeat":1}""", edited.Json.GetProperty("parameters").GetRawText());
        Assert.Equal(["token"], edited.Json.GetProperty("secretParameters").EnumerateArray().Select(s => s.GetString()));
        Assert.Empty(edited.Json.GetProperty("overriddenFields").EnumerateArray());
        Assert.Equal(412, (await admin.SendAsync("PATCH", $"/api/cron/jobs/{slug}", """{"description":"late"}""",
            new Dictionary<string, string> { ["If-Match"] = etag })).Code);
        await WaitForOutputAsync(viewer, slug, "cd");
        Assert.Equal(Secret, TestJobTypes.LastRunWith[slug].Token);

        // The audit trail has old and new values, with the secret's change said and its value nowhere.
        var audit = await viewer.FetchAsync($"/api/cron/audit?job={slug}");
        Assert.DoesNotContain(Secret, audit.Body, StringComparison.Ordinal);
        var items = audit.Json.GetProperty("items").EnumerateArray().ToList();
        var create = Assert.Single(items, i => i.GetProperty("action").GetString() == "job.create");
        var createdValues = create.GetProperty("newValues");
        Assert.Equal(("Typed report", "(secret)"), (createdValues.GetProperty("name").GetString(), createdValues.GetProperty("parameters").GetProperty("token").GetString()));
        var update = Assert.Single(items, i => i.GetProperty("action").GetString() == "job.update");
        var oldValues = update.GetProperty("oldValues");
        var newValues = update.GetProperty("newValues");
        Assert.Equal(("ab", "cd"), (oldValues.GetProperty("parameters").GetProperty("label").GetString(), newValues.GetProperty("parameters").GetProperty("label").GetString()));
        Assert.Equal(("(secret)", "(secret, unchanged)"), (oldValues.GetProperty("parameters").GetProperty("token").GetString(),
            newValues.GetProperty("parameters").GetProperty("token").GetString()));
        Assert.Equal("Typed report, edited", newValues.GetProperty("name").GetString());
        foreach (var path in new[] { $"/api/cron/jobs/{slug}", "/api/cron/jobs", $"/api/cron/jobs/{slug}/executions" })
        {
            Assert.DoesNotContain(Secret, (await viewer.FetchAsync(path)).Body, StringComparison.Ordinal);
        }

        // Deleting: admins only; the job stops, its history stays, its slug stays taken, its name is free again.
        Assert.Equal(403, (await operatorClient.SendAsync("DELETE", $"/api/cron/jobs/{slug}")).Code);
        var deleted = await admin.SendAsync("DELETE", $"/api/cron/jobs/{slug}");
        Assert.True(deleted.Code == 200, deleted.ToString());
        Assert.Equal((false, true, false), (deleted.Json.GetProperty("isEnabled").GetBoolean(), deleted.Json.GetProperty("isOrphaned").GetBoolean(),
            deleted.Json.GetProperty("deletable").GetBoolean()));
        var deletedAt = deleted.Json.GetProperty("deletedAt").GetDateTimeOffset();
        Assert.Empty(deleted.Json.GetProperty("nextFireTimes").EnumerateArray());
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var history = (await viewer.FetchAsync($"/api/cron/jobs/{slug}/executions?limit=200")).Json.GetProperty("items").EnumerateArray().ToList();
        Assert.NotEmpty(history);
        // A run may have been claimed for the instant the delete landed in; nothing after it.
        Assert.DoesNotContain(history, e => e.GetProperty("scheduledFor").GetDateTimeOffset() > deletedAt.AddSeconds(1));
        var again = await admin.SendAsync("DELETE", $"/api/cron/jobs/{slug}");
        Assert.True(again.Code == 409 && again.Body.Contains("already deleted", StringComparison.Ordinal), again.ToString());
        var triggered = await operatorClient.PostJsonAsync($"/api/cron/jobs/{slug}/trigger");
        Assert.True(triggered.Code == 409 && triggered.Body.Contains("deleted", StringComparison.Ordinal), triggered.ToString());
        var reuse = await admin.PostJsonAsync("/api/cron/jobs", $$"""
            {"slug":"{{slug}}","type":"{{TestJobTypes.Name}}","name":"Another","schedule":"0 0 * * *","parameters":{"label":"x"} }
            """);
        Assert.True(reuse.Code == 409, reuse.ToString());
        Assert.Contains("deleted", reuse.Json.GetProperty("errors").GetProperty("slug")[0].GetString(), StringComparison.Ordinal);
        var sameName = await admin.PostJsonAsync("/api/cron/jobs", $$"""
            {"slug":"{{slug}}-2","type":"{{TestJobTypes.Name}}","name":"Typed report, edited","schedule":"0 0 * * *","enabled":false,"parameters":{"label":"x"} }
            """);
        Assert.True(sameName.Code == 201, sameName.ToString());
        var deleteAudit = await viewer.FetchAsync($"/api/cron/audit?job={slug}&action=job.delete");
        Assert.Equal("test-admin", deleteAudit.Json.GetProperty("items")[0].GetProperty("actor").GetString());
    }

    [Fact]
    public async Task JobsFromCodeCannotBeDeletedNorRenamed_AndATakenNameOrSlugIsAConflict()
    {
        const string codeJob = "t-api-matrix";
        using var admin = api.ClientFor("admin");
        var refused = await admin.SendAsync("DELETE", $"/api/cron/jobs/{codeJob}");
        Assert.True(refused.Code == 409 && refused.Body.Contains("defined in code", StringComparison.Ordinal), refused.ToString());
        var rename = await admin.SendAsync("PATCH", $"/api/cron/jobs/{codeJob}", """{"name":"Renamed"}""");
        Assert.True(rename.Code == 400, rename.ToString());
        Assert.Contains("definition", rename.Json.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        var codeName = (await admin.FetchAsync($"/api/cron/jobs/{codeJob}")).Json.GetProperty("name").GetString();
        var slugTaken = await admin.PostJsonAsync("/api/cron/jobs", $$"""
            {"slug":"{{codeJob}}","type":"{{TestJobTypes.Name}}","name":"Fresh name","schedule":"0 0 * * *","parameters":{"label":"x"} }
            """);
        Assert.True(slugTaken.Code == 409, slugTaken.ToString());
        Assert.Contains("already exists", slugTaken.Json.GetProperty("errors").GetProperty("slug")[0].GetString(), StringComparison.Ordinal);
        var nameTaken = await admin.PostJsonAsync("/api/cron/jobs", $$"""
            {"slug":"t-api-typed-name","type":"{{TestJobTypes.Name}}","name":"{{codeName}}","schedule":"0 0 * * *","parameters":{"label":"x"} }
            """);
        Assert.True(nameTaken.Code == 409, nameTaken.ToString());
        Assert.True(nameTaken.Json.GetProperty("errors").TryGetProperty("name", out _), nameTaken.ToString());
        Assert.Equal(404, (await admin.FetchAsync("/api/cron/jobs/t-api-typed-name")).Code);
    }

    [Theory]
    [InlineData("""{"type":"t-type","name":"N","schedule":"0 0 * * *","parameters":{"label":"x"}}""", "slug", "slug is required")]
    [InlineData("""{"slug":"Bad Slug","type":"t-type","name":"N","schedule":"0 0 * * *","parameters":{"label":"x"}}""", "slug", "lower-case")]
    [InlineData("""{"slug":"t-api-newbad","type":"no-such-type","name":"N","schedule":"0 0 * * *","parameters":{"label":"x"}}""", "type", "Unknown job type 'no-such-type'")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","schedule":"0 0 * * *","parameters":{"label":"x"}}""", "name", "name is required")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"every day","parameters":{"label":"x"}}""", "schedule", "")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","timeZone":"Mars/Olympus","parameters":{"label":"x"}}""", "timeZone", "Unknown time zone")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","timeoutMs":0,"parameters":{"label":"x"}}""", "timeoutMs", "between 1 and")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *"}""", "parameters", "parameters is required")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","parameters":[1]}""", "parameters", "must be a JSON object")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","parameters":{"label":"x","repeat":11}}""", "parameters.repeat", "between 1 and 10")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","parameters":{"repeat":2}}""", "parameters", "label")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","parameters":{"label":"x","colour":"red"}}""", "parameters.colour", "")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","parameters":{"label":"a\u0000b"}}""", "parameters.label", "NUL")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N\u0000","schedule":"0 0 * * *","parameters":{"label":"x"}}""", "name", "NUL")]
    [InlineData("""{"slug":"t-api-newbad","type":"t-type","name":"N","schedule":"0 0 * * *","command":"rm -rf /","parameters":{"label":"x"}}""", "command", "Command jobs are defined only in configuration")]
    public async Task ABadNewJobIsRefusedNamingTheField_AndNothingIsStored(string body, string field, string message)
    {
        using var admin = api.ClientFor("admin");
        var refused = await admin.PostJsonAsync("/api/cron/jobs", body);
        Assert.True(refused.Code == 400, refused.ToString());
        Assert.True(refused.Json.GetProperty("errors").TryGetProperty(field, out var messages), $"expected an error on {field}: {refused}");
        Assert.Contains(message, messages[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(404, (await admin.FetchAsync("/api/cron/jobs/t-api-newbad")).Code);
        var audit = await admin.FetchAsync("/api/cron/audit?job=t-api-newbad");
        Assert.Equal(0, audit.Json.GetProperty("items").GetArrayLength());
    }

    private static async Task WaitForOutputAsync(HttpClient viewer, string slug, string output)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var page = await viewer.FetchAsync($"/api/cron/jobs/{slug}/executions?status=succeeded&limit=50");
            var ids = page.Json.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
            foreach (var id in ids.Take(3))
            {
                if ((await viewer.FetchAsync($"/api/cron/executions/{id}")).Json.GetProperty("output").GetString() == output)
                {
                    return;
                }
            }
            if (DateTime.UtcNow > deadline)
            {
                var all = await viewer.FetchAsync($"/api/cron/jobs/{slug}/executions?limit=5");
                Assert.Fail($"no run of {slug} printed '{output}' within {Wait.TotalSeconds} s; job: {(await viewer.FetchAsync($"/api/cron/jobs/{slug}")).Body}; runs: {all.Body}");
            }
            await Task.Delay(200);
        }
    }
}
