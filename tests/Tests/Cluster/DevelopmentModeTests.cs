using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>The README's run command: the silo with no configuration at all runs its example jobs.</summary>
[Trait("Category", "Cluster")]
public sealed class DevelopmentModeTests
{
    [Fact]
    public async Task SiloWithoutConfiguration_RunsTheExampleJobs()
    {
        var port = 24_000 + Random.Shared.Next(0, 900);
        using var silo = SiloProcess.Start(port, port + 10_000, new Dictionary<string, string>
        {
            // Successful runs are logged at Debug.
            ["Logging__LogLevel__Totallator"] = "Debug",
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
    }
}
