using Npgsql;
using Totallator.Grains.Storage;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// The example jobs (one fails on purpose) belong to the development mode: a real silo process on PostgreSQL stores them only
/// when <c>Cron:Examples:Enabled</c> is true, and a cluster that stored them marks them orphaned at its next start without it.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ExampleJobsTests
{
    private static readonly string[] Examples = ["heartbeat", "hourly-report"];

    [Fact]
    public async Task ClusterSilo_StoresNoExampleJobs_AndOrphansThoseAnEarlierStartStored()
    {
        var cs = await PostgresServer.CreateDatabaseAsync("examples");
        try
        {
            // Asked for explicitly, a cluster runs them (as the local cluster runner does).
            await RunSiloUntilSyncedAsync(cs, new() { ["Cron__Examples__Enabled"] = "true" });
            var first = await JobsAsync(cs);
            Assert.All(Examples, slug => Assert.False(first.Single(j => j.Slug == slug).IsOrphaned));

            // The next start with the default: still stored (history intact), but orphaned, so nothing schedules them.
            await RunSiloUntilSyncedAsync(cs, []);
            var second = await JobsAsync(cs);
            Assert.All(Examples, slug => Assert.True(second.Single(j => j.Slug == slug).IsOrphaned, $"{slug} must be orphaned"));
            Assert.False(second.Single(j => j.Slug == "own").IsOrphaned);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(cs);
        }
    }

    [Fact]
    public async Task ClusterSilo_OnAnEmptyDatabase_StoresOnlyItsOwnJobs()
    {
        var cs = await PostgresServer.CreateDatabaseAsync("examples");
        try
        {
            await RunSiloUntilSyncedAsync(cs, []);
            Assert.Equal(["own"], (await JobsAsync(cs)).Select(j => j.Slug).Where(s => s != "history-cleanup"));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(cs);
        }
    }

    /// <summary>A real silo process with one job of its own from configuration; gone once it has synced the definitions.</summary>
    private static async Task RunSiloUntilSyncedAsync(string connectionString, Dictionary<string, string> extra)
    {
        var env = new Dictionary<string, string>(extra)
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            // A cluster id per start: the next start need not wait for this one's membership entry to be declared dead.
            ["Orleans__ClusterId"] = "examples-" + Guid.NewGuid().ToString("N")[..8],
            ["Cron__Jobs__own__Schedule"] = "0 3 * * *",
            ["Cron__Jobs__own__Command"] = "/bin/true",
        };
        using var silo = SiloProcess.Start(env);
        await silo.WaitStartedAsync(TimeSpan.FromSeconds(60));
    }

    private static async Task<IReadOnlyList<JobRecord>> JobsAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        return await new PostgresJobStore(dataSource).ListJobsAsync(CancellationToken.None);
    }
}
