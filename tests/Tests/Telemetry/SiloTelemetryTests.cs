using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Telemetry;

/// <summary>The shipped silo process (development mode) as an operator runs it: its scrape endpoint and its JSON console logs.</summary>
[Trait("Category", "Cluster")]
public sealed class SiloTelemetryTests
{
    [Fact]
    public async Task DevelopmentSilo_ServesSchedulerSeriesAndWritesJsonLinesWithTheRunsScope()
    {
        // HTTP on a port the OS picks (SiloProcess's default), read back from Kestrel's own line: no collision with the
        // ephemeral ports of other tests' connections.
        using var silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["Logging__LogLevel__Totallator"] = "Debug",
            ["Logging__Console__FormatterName"] = "json",
        });
        await silo.WaitStartedAsync(TimeSpan.FromSeconds(60));

        // The heartbeat example fires every 10 s; its success line (Debug) comes from the job's logger inside the run's scope.
        JsonElement? success = null;
        var deadline = DateTime.UtcNow.AddSeconds(25);
        while (success is null && DateTime.UtcNow < deadline)
        {
            success = silo.Log.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement)
                .Cast<JsonElement?>().FirstOrDefault(e => e!.Value.GetProperty("EventId").GetInt32() == 2102);
            await Task.Delay(200);
        }
        Assert.True(success is not null, "no JSON line for a heartbeat success: " + silo.Log);
        var scope = success.Value.GetProperty("Scopes").EnumerateArray().Single(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("JobSlug", out _));
        Assert.Equal("heartbeat", scope.GetProperty("JobSlug").GetString());
        Assert.True(Guid.TryParse(scope.GetProperty("ExecutionId").GetString(), out _), scope.ToString());
        Assert.StartsWith("s:", scope.GetProperty("OccurrenceKey").GetString(), StringComparison.Ordinal);
        Assert.True(scope.TryGetProperty("ScheduledFor", out _), scope.ToString());

        // Kestrel starts after the silo: on a busy machine the first run can end before it listens.
        var listening = Regex.Match(silo.Log, @"Now listening on: (http://127\.0\.0\.1:\d+)");
        for (var wait = DateTime.UtcNow.AddSeconds(20); !listening.Success && DateTime.UtcNow < wait; listening = Regex.Match(silo.Log, @"Now listening on: (http://127\.0\.0\.1:\d+)"))
        {
            await Task.Delay(200);
        }
        Assert.True(listening.Success, "Kestrel's listening line is missing: " + silo.Log);
        using var client = new HttpClient { BaseAddress = new Uri(listening.Groups[1].Value) };
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches("""totallator_scheduler_run_ended_total\{[^}]*outcome="succeeded"[^}]*trigger="scheduler"[^}]*\} [1-9]""", body);
        Assert.Matches("""totallator_scheduler_firing_lateness_seconds_count\{[^}]*trigger="scheduler"[^}]*\} [1-9]""", body);
        Assert.Contains("totallator_scheduler_run_duration_seconds_bucket", body, StringComparison.Ordinal);
        Assert.Matches("""target_info\{[^}]*service_name="totallator-silo"[^}]*\}""", body);
        // The instance is the silo's address, as Orleans names it in its own logs and membership table.
        Assert.Matches($$"""target_info\{[^}]*service_instance_id="S127\.0\.0\.1:{{silo.SiloPort}}:\d+"[^}]*\}""", body);
    }
}
