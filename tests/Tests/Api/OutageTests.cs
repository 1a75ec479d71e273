using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// The AdminApi while PostgreSQL is down: every call answers 503 with a plain message (never 500, never a hang), readiness
/// fails while liveness holds, and everything answers again once the database is back. Runs on a PostgreSQL server of its own.
/// </summary>
[Trait("Category", "Api")]
public sealed class OutageTests
{
    [Fact]
    public async Task TheApiAnswers503WhilePostgresIsStoppedAndRecoversAfter()
    {
        await using var postgres = await ScratchPostgres.StartAsync();
        await using var cluster = await PostgresCluster.StartOnAsync(postgres.ConnectionString, 1);
        var app = await AdminApiFixture.StartApiAsync(cluster, new Dictionary<string, string?>());
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
            client.DefaultRequestHeaders.Add("X-Api-Key", AdminApiFixture.BootstrapKey);
            Assert.Equal(200, (await client.FetchAsync("/api/cron/jobs")).Code);
            Assert.Equal(200, (await client.FetchAsync("/health/ready")).Code);

            await postgres.StopServerAsync();
            foreach (var (method, path, body) in new[]
            {
                ("GET", "/api/cron/jobs", (string?)null),
                ("GET", "/api/cron/jobs/t-api-list", null),
                ("PATCH", "/api/cron/jobs/t-api-list", """{"maxRetries":4}"""),
                ("PUT", "/api/cron/config", """{"historyRetentionDays":10}"""),
                ("GET", "/api/cron/audit", null),
            })
            {
                var response = await client.SendAsync(method, path, body);
                Assert.True(response.Code == 503, $"{method} {path} with PostgreSQL stopped: expected 503, got {response}");
                Assert.Contains("does not answer", response.ProblemText, StringComparison.Ordinal);
                Assert.DoesNotContain("Host=", response.Body, StringComparison.Ordinal);
            }
            Assert.Equal(503, (await client.FetchAsync("/health/ready")).Code);
            Assert.Equal(200, (await client.FetchAsync("/health/live")).Code);

            await postgres.StartServerAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            ApiResponse last;
            do
            {
                last = await client.FetchAsync("/api/cron/jobs");
            }
            while (last.Code != 200 && DateTime.UtcNow < deadline && await Delay());
            Assert.True(last.Code == 200, $"after PostgreSQL came back: {last}");
            Assert.Equal(200, (await client.FetchAsync("/health/ready")).Code);
            Assert.Equal(0, (await cluster.Store.GetJobAsync("t-api-list", CancellationToken.None))!.MaxRetries);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(500);
        return true;
    }
}
