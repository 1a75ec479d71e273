using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Client.Cli;

/// <summary>The <c>totallator</c> command line end to end against the real AdminApi on the 2-silo PostgreSQL cluster.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class CliTests(AdminApiFixture api) : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("totallator-cli-").FullName;

    private Task<CliRun> AsAsync(string role, params string[] args) => CliRunner.RunAsync(CliRunner.Environment(api.BaseAddress, Key(role), _home), args);

    private string Key(string role) => role switch { "viewer" => api.ViewerKey, "operator" => api.OperatorKey, "admin" => api.AdminKey, _ => role };

    [Fact]
    public async Task JobsListShowEnableAndDisable_TablesForPeopleAndJsonForScripts()
    {
        const string slug = "t-cli-toggle";
        var enabled = await AsAsync("operator", "jobs", "enable", slug);
        Assert.True(enabled.ExitCode == 0, enabled.ToString());
        Assert.StartsWith($"Enabled {slug}; next run ", enabled.Out, StringComparison.Ordinal);

        var shown = await AsAsync("viewer", "jobs", "show", slug, "--json");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Equal((slug, true, "code"), (shown.Json.GetProperty("slug").GetString(), shown.Json.GetProperty("isEnabled").GetBoolean(), shown.Json.GetProperty("source").GetString()));
        Assert.Equal(5, shown.Json.GetProperty("nextFireTimes").GetArrayLength());

        var table = await AsAsync("viewer", "jobs", "list", "--search", "t-cli-", "--state", "enabled");
        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["SLUG", "STATE", "SCHEDULE", "NEXT", "RUN", "LAST", "RUN", "SUCCESS"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(lines, l => l.StartsWith(slug + " ", StringComparison.Ordinal) && l.Contains(" enabled ", StringComparison.Ordinal));

        var disabled = await AsAsync("operator", "--json", "jobs", "disable", slug);
        Assert.False(disabled.Json.GetProperty("isEnabled").GetBoolean());
        var list = await AsAsync("viewer", "jobs", "list", "--search", slug, "--json");
        var item = Assert.Single(list.Json.GetProperty("items").EnumerateArray());
        Assert.Equal((slug, false), (item.GetProperty("slug").GetString(), item.GetProperty("isEnabled").GetBoolean()));
        Assert.Equal(1, list.Json.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task TriggerWaitExitsZeroWhenTheRunSucceedsAndOneWhenItFails()
    {
        const string slug = "t-cli-run";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("deployed", 1)));
        var ok = await AsAsync("operator", "jobs", "trigger", slug, "--wait", "--wait-timeout", "30s");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Matches("^Execution [0-9a-f-]{36} succeeded in ", ok.Out);

        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Failure("migration 42 failed")));
        var failed = await AsAsync("operator", "jobs", "trigger", slug, "--wait", "--json");
        Assert.True(failed.ExitCode == 1, failed.ToString());
        Assert.Equal("failed", failed.Json.GetProperty("summary").GetProperty("status").GetString());
        Assert.Contains("migration 42 failed", failed.Json.GetProperty("errorMessage").GetString(), StringComparison.Ordinal);
        var id = failed.Json.GetProperty("summary").GetProperty("id").GetString()!;

        var output = await AsAsync("viewer", "runs", "output", id);
        Assert.Equal(0, output.ExitCode);
        Assert.Contains("migration 42 failed", output.Err, StringComparison.Ordinal);
        var history = await AsAsync("viewer", "jobs", "history", slug, "--status", "failed", "--json");
        Assert.Equal(id, history.Json.GetProperty("items")[0].GetProperty("id").GetString());
        var human = await AsAsync("viewer", "runs", "show", id);
        Assert.Contains("status:        failed", human.Out, StringComparison.Ordinal);

        // Without --wait: the execution id at once, and a repeated idempotency key answers the same one.
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded()));
        var first = await AsAsync("operator", "--json", "jobs", "trigger", slug, "--idempotency-key", "release-" + Guid.NewGuid());
        var again = await AsAsync("operator", "--json", "jobs", "trigger", slug, "--idempotency-key", first.Args[^1]);
        Assert.Equal(first.Json.GetProperty("executionId").GetString(), again.Json.GetProperty("executionId").GetString());
        Assert.True(again.Json.GetProperty("replayed").GetBoolean());
    }

    [Fact]
    public async Task RefusalsExitWithTheirCodesAndTheKeyIsNeverPrinted()
    {
        var missing = await AsAsync("viewer", "jobs", "show", "t-cli-no-such-job");
        Assert.True(missing.ExitCode == 3, missing.ToString());
        Assert.Matches(@"^totallator: Not found\. No job with slug 't-cli-no-such-job'\. \(GET /api/cron/jobs/t-cli-no-such-job: HTTP 404, request id [^ )]+\)", missing.Err);

        var forbidden = await AsAsync("viewer", "jobs", "enable", "t-cli-toggle", "--verbose");
        Assert.True(forbidden.ExitCode == 4, forbidden.ToString());
        Assert.Contains("> POST " + api.BaseAddress + "api/cron/jobs/t-cli-toggle/enable", forbidden.Err, StringComparison.Ordinal);
        Assert.Contains("< 403 Forbidden", forbidden.Err, StringComparison.Ordinal);

        const string wrongKey = "tk_not-a-key-of-this-api-0123456789";
        var unknown = await AsAsync(wrongKey, "jobs", "list");
        Assert.True(unknown.ExitCode == 4, unknown.ToString());
        var flagged = await CliRunner.RunAsync(CliRunner.Environment(api.BaseAddress, null, _home), "jobs", "list", "--api-key", wrongKey, "--json", "-v");
        Assert.Equal(4, flagged.ExitCode);
        Assert.Equal(401, System.Text.Json.JsonDocument.Parse(flagged.Err.Split('\n').Last(l => l.StartsWith('{'))).RootElement.GetProperty("status").GetInt32());
        var misplaced = await AsAsync(wrongKey, "jobs", wrongKey);
        Assert.Equal(2, misplaced.ExitCode);
        Assert.Contains("Unrecognized command or argument '***'", misplaced.Err, StringComparison.Ordinal);

        var invalid = await AsAsync("admin", "config", "set", "history-retention-days", "0");
        Assert.True(invalid.ExitCode == 2, invalid.ToString());
        Assert.Contains("historyRetentionDays", invalid.Err, StringComparison.Ordinal);

        var conflict = await AsAsync("operator", "runs", "cancel", (await AsAsync("viewer", "--json", "jobs", "history", "t-cli-toggle", "-n", "1")).Json
            .GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()).FirstOrDefault() ?? Guid.NewGuid().ToString());
        Assert.True(conflict.ExitCode is 3 or 5, conflict.ToString());

        var verbose = await AsAsync("admin", "-v", "config", "get");
        Assert.Equal(0, verbose.ExitCode);
        foreach (var run in new[] { missing, forbidden, unknown, flagged, misplaced, invalid, conflict, verbose })
        {
            foreach (var key in new[] { api.ViewerKey, api.OperatorKey, api.AdminKey, wrongKey })
            {
                Assert.DoesNotContain(key, run.Out + run.Err, StringComparison.Ordinal);
            }
        }
    }

    // File modes are what the warning reads; the repository's machines and CI are Linux.
    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task AProfileFileGivesTheAddressAndKey_AndAMissingProfileIsAUsageError()
    {
        var file = Path.Combine(_home, ".config", "totallator", "profile.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, $$"""
            // Keys live here, so the file is the user's alone.
            { "profiles": { "default": { "url": "http://127.0.0.1:9/" },
                            "ops": { "url": "{{api.BaseAddress}}", "apiKey": "{{api.OperatorKey}}" } } }
            """);
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var environment = new Dictionary<string, string?> { ["HOME"] = _home };

        var shown = await CliRunner.RunAsync(environment, "jobs", "show", "t-cli-toggle", "--profile", "ops", "--json");
        Assert.True(shown.ExitCode == 0, shown.ToString());
        Assert.Equal("t-cli-toggle", shown.Json.GetProperty("slug").GetString());
        Assert.Equal("", shown.Err);

        var noKey = await CliRunner.RunAsync(environment, "jobs", "list");
        Assert.Equal(2, noKey.ExitCode);
        Assert.Contains("No API key", noKey.Err, StringComparison.Ordinal);
        var unknown = await CliRunner.RunAsync(environment, "jobs", "list", "--profile", "prod");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("No profile 'prod'", unknown.Err, StringComparison.Ordinal);
        Assert.Contains("default, ops", unknown.Err, StringComparison.Ordinal);

        // Flags and the environment win over the profile; a file others can read is warned about.
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var overridden = await CliRunner.RunAsync(new Dictionary<string, string?> { ["HOME"] = _home, ["TOTALLATOR_API_KEY"] = api.ViewerKey },
            "--profile", "ops", "--json", "keys", "list");
        Assert.Equal(4, overridden.ExitCode);
        Assert.Contains("can be read by other users", overridden.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(api.OperatorKey, overridden.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOperatorsTourOfRunsConfigPauseKeysAndAudit()
    {
        const string slug = "t-cli-tour";
        TestJobs.Set(slug, async c =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), c.CancellationToken);
            return CronJobResult.Succeeded();
        });
        var started = await AsAsync("operator", "--json", "jobs", "trigger", slug);
        var id = started.Json.GetProperty("executionId").GetString()!;
        for (var i = 0; i < 100 && !(await AsAsync("viewer", "runs", "show", id)).Out.Contains("status:        running", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }
        var busy = await AsAsync("operator", "jobs", "trigger", slug);
        Assert.True(busy.ExitCode == 5, busy.ToString());
        var cancel = await AsAsync("operator", "runs", "cancel", id);
        Assert.True(cancel.ExitCode == 0, cancel.ToString());
        Assert.Equal($"Cancellation requested for execution {id}.", cancel.Out.Trim());

        var created = await AsAsync("admin", "keys", "create", "cli-tour-key", "--role", "viewer");
        Assert.True(created.ExitCode == 0, created.ToString());
        var newKey = created.Out.Trim();
        var whoCanRead = await CliRunner.RunAsync(CliRunner.Environment(api.BaseAddress, newKey, _home), "config", "get", "default-time-zone");
        Assert.True(whoCanRead.ExitCode == 0, whoCanRead.ToString());
        Assert.Equal("UTC", whoCanRead.Out.Trim());
        var keys = await AsAsync("admin", "--json", "keys", "list");
        var keyId = keys.Json.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "cli-tour-key").GetProperty("id").GetString()!;
        Assert.Equal(0, (await AsAsync("admin", "keys", "revoke", keyId)).ExitCode);
        Assert.Equal(3, (await AsAsync("admin", "keys", "revoke", keyId)).ExitCode);

        try
        {
            var paused = await AsAsync("admin", "pause");
            Assert.True(paused.ExitCode == 0, paused.ToString());
            Assert.Equal("true", (await AsAsync("viewer", "config", "get", "schedulingPaused")).Out.Trim());
        }
        finally
        {
            Assert.Equal(0, (await AsAsync("admin", "resume")).ExitCode);
        }
        Assert.Equal("false", (await AsAsync("viewer", "config", "get", "scheduling-paused")).Out.Trim());
        var set = await AsAsync("admin", "config", "set", "audit-retention-days", "400");
        Assert.Equal("auditRetentionDays = 400", set.Out.Trim());

        var audit = await AsAsync("viewer", "--json", "audit", "--actor", "test-admin", "--since", "10m", "-n", "50");
        var actions = audit.Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).ToList();
        Assert.Contains("apikey.create", actions);
        Assert.Contains("apikey.revoke", actions);
        Assert.Contains("settings.update", actions);
        var table = await AsAsync("viewer", "audit", "--job", slug);
        Assert.Contains("execution.cancel", table.Out, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}

/// <summary>The command line without an API to talk to: no cluster needed.</summary>
public sealed class CliOfflineTests
{
    [Fact]
    public async Task AnUnreachableAddressExitsSixWithAClearMessage()
    {
        const string key = "tk_offline-secret-0123456789";
        var run = await CliRunner.RunAsync(new Dictionary<string, string?> { ["TOTALLATOR_API_KEY"] = key, ["HOME"] = Path.GetTempPath() },
            "jobs", "list", "--url", "http://127.0.0.1:9/", "--verbose");
        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.Contains("totallator: Cannot reach the Totallator API at http://127.0.0.1:9/: Connection refused", run.Err, StringComparison.Ordinal);
        Assert.DoesNotContain(key, run.Out + run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UsageErrorsExitTwo()
    {
        var environment = new Dictionary<string, string?> { ["HOME"] = Path.GetTempPath() };
        Assert.Equal(2, (await CliRunner.RunAsync(environment, "jobs")).ExitCode);
        Assert.Equal(2, (await CliRunner.RunAsync(environment, "jobs", "list", "--limit", "many")).ExitCode);
        var noUrl = await CliRunner.RunAsync(environment, "jobs", "list");
        Assert.Equal(2, noUrl.ExitCode);
        Assert.Contains("No API address", noUrl.Err, StringComparison.Ordinal);
        var help = await CliRunner.RunAsync(environment, "jobs", "trigger", "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--wait", help.Out, StringComparison.Ordinal);
    }
}
