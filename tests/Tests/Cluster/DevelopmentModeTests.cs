using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>The README's run command: the silo with no configuration at all runs its example jobs and serves the admin API.</summary>
[Trait("Category", "Cluster")]
public sealed class DevelopmentModeTests
{
    [Fact]
    public async Task SiloWithoutConfiguration_RunsTheExampleJobs()
    {
        var ports = FreePorts.Many(3);
        var http = ports[2];
        using var silo = SiloProcess.Start(ports[0], ports[1], new Dictionary<string, string>
        {
            // Successful runs are logged at Debug.
            ["Logging__LogLevel__Totallator"] = "Debug",
            ["Urls"] = $"http://127.0.0.1:{http}",
        });
        await silo.WaitStartedAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("development (in-memory, single node)", silo.Log, StringComparison.Ordinal);

        const string succeeded = @"Job heartbeat execution [0-9a-f-]{36} ended Succeeded";
        var deadline = DateTime.UtcNow.AddSeconds(25);
        while (DateTime.UtcNow < deadline && !System.Text.RegularExpressions.Regex.IsMatch(silo.Log, succeeded))
        {
            await Task.Delay(200);
        }
        Assert.Matches(succeeded, silo.Log);
        Assert.False(silo.HasExited, silo.Log);

        // No Admin:ApiKey configured: the silo printed a generated admin key, and the API answers to it and to nothing else.
        var key = System.Text.RegularExpressions.Regex.Match(silo.Log, "tcron_[A-Za-z0-9_-]{43}");
        Assert.True(key.Success, "the development silo must print a generated admin key: " + silo.Log);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}") };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/api/cron/jobs", UriKind.Relative))).StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", key.Value);
        var jobs = await client.GetStringAsync(new Uri("/api/cron/jobs", UriKind.Relative));
        Assert.Contains("\"slug\":\"heartbeat\"", jobs, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
    }
}
