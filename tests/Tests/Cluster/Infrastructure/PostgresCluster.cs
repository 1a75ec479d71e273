using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.TestingHost;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Cluster.Infrastructure;

/// <summary>
/// A TestCluster of real silos on a database of its own (schema applied by the real migrator), with short timings so failover,
/// leases and misfires show within seconds. The store is the real PostgreSQL store, read back to assert on rows.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly bool _ownsDatabase;
    private NpgsqlDataSource? _dataSource;

    private PostgresCluster(string connectionString, TestCluster cluster, bool ownsDatabase = true)
    {
        ConnectionString = connectionString;
        Cluster = cluster;
        _ownsDatabase = ownsDatabase;
    }

    public string ConnectionString { get; }
    public TestCluster Cluster { get; private set; }
    public IClusterClient Client => Cluster.Client;
    public PostgresJobStore Store => new(_dataSource ??= NpgsqlDataSource.Create(ConnectionString));

    public static Dictionary<string, string> DefaultTimings() => new()
    {
        ["Cron:Scheduler:HeartbeatPeriod"] = "00:00:05",
        ["Cron:Scheduler:LeaseDuration"] = "00:00:04",
        ["Cron:Scheduler:LeaseRenewInterval"] = "00:00:01",
        ["Cron:Scheduler:SweepInterval"] = "00:00:01",
        ["Cron:Scheduler:CancellationGrace"] = "00:00:01",
        ["Cron:Scheduler:ShutdownGracePeriod"] = "00:00:03",
        ["Cron:Scheduler:MisfireThreshold"] = "00:00:01",
        ["Cron:BuiltIn:HistoryCleanup:Enabled"] = "false",
    };

    /// <summary>Creates a database, migrates it and starts <paramref name="silos"/> silos on it.</summary>
    /// <remarks>
    /// With <paramref name="sockets"/> the silos listen on real TCP ports, so a separate Orleans client (the AdminApi under test)
    /// can connect; otherwise TestCluster's in-memory transport serves only its own client. <paramref name="configure"/> adds
    /// wiring (e.g. another silo configurator).
    /// </remarks>
    public static async Task<PostgresCluster> StartAsync(int silos, Dictionary<string, string>? settings = null, bool sockets = false,
        Action<TestClusterBuilder>? configure = null)
    {
        var cs = await PostgresServer.CreateDatabaseAsync("cluster");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(cs, CancellationToken.None);
        var cluster = await DeployAsync(cs, silos, "c" + Guid.NewGuid().ToString("N")[..10], "totallator-tests", settings, sockets, configure);
        return new PostgresCluster(cs, cluster);
    }

    /// <summary>Migrates a database the caller owns (e.g. on a <see cref="ScratchPostgres"/> server) and starts a cluster on it; the database is left in place.</summary>
    public static async Task<PostgresCluster> StartOnAsync(string connectionString, int silos)
    {
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(connectionString, CancellationToken.None);
        var cluster = await DeployAsync(connectionString, silos, "c" + Guid.NewGuid().ToString("N")[..10], "totallator-tests", sockets: true);
        return new PostgresCluster(connectionString, cluster, ownsDatabase: false);
    }

    /// <summary>Starts another cluster on the same database (e.g. after the first was stopped, or a split-brain twin).</summary>
    public static Task<TestCluster> DeployAsync(string connectionString, int silos, string clusterId, string serviceId,
        Dictionary<string, string>? settings = null, bool sockets = false, Action<TestClusterBuilder>? configure = null)
    {
        var builder = new TestClusterBuilder((short)silos);
        if (sockets)
        {
            builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        }
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ClusterId = clusterId;
        builder.Options.ServiceId = serviceId;
        builder.Properties["ConnectionStrings:Postgres"] = connectionString;
        foreach (var (key, value) in settings ?? DefaultTimings())
        {
            builder.Properties[key] = value;
        }
        builder.AddSiloBuilderConfigurator<TestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<TestClientConfigurator>();
        configure?.Invoke(builder);
        var cluster = builder.Build();
        return DeployAndReturnAsync(cluster);
    }

    private static async Task<TestCluster> DeployAndReturnAsync(TestCluster cluster)
    {
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Replaces the cluster (after a whole-cluster stop), keeping the database.</summary>
    public void Replace(TestCluster cluster) => Cluster = cluster;

    public ICronJobGrain Job(string slug) => Client.GetGrain<ICronJobGrain>(slug);

    /// <summary>Enables or disables a job through its grain, as an admin would.</summary>
    public Task<JobSnapshot> EnableAsync(string slug, bool enabled = true) =>
        Job(slug).UpdateConfigAsync(new JobConfigChange { IsEnabled = enabled, ChangedBy = "test" });

    public async Task<IReadOnlyList<ExecutionRecord>> RowsAsync(string slug)
    {
        var job = await Store.GetJobAsync(slug, CancellationToken.None) ?? throw new InvalidOperationException($"job {slug} is not in cronJob");
        return (await Store.GetExecutionsAsync(job.Id, 10_000, CancellationToken.None)).OrderBy(r => r.ScheduledFor).ThenBy(r => r.RetryCount).ToList();
    }

    /// <summary>Polls the database until <paramref name="condition"/> holds; fails naming the phase and what was last seen.</summary>
    public async Task<IReadOnlyList<ExecutionRecord>> WaitForRowsAsync(string slug, Func<IReadOnlyList<ExecutionRecord>, bool> condition, TimeSpan timeout, string phase)
    {
        // Measured on the monotonic clock: a step of the wall clock (the machine's time being set) must not end the wait early.
        // Twice (once in CI) a retry test failed "within 00:00:20" after 3-4 s of test time, its retry still to come.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<ExecutionRecord> rows = [];
        while (waited.Elapsed < timeout)
        {
            rows = await RowsAsync(slug);
            if (condition(rows))
            {
                return rows;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{phase}: job {slug} did not reach the expected state within {timeout}. Rows seen: " +
            string.Join("; ", rows.Select(r => $"{r.OccurrenceKey}#{r.RetryCount} {r.Status.ToText()} {r.TriggeredBy.ToText()} {r.StatusReason}")));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        catch (Exception)
        {
            // Some tests stop silos themselves; what is left is torn down with the database.
        }
        await Cluster.DisposeAsync();
        _dataSource?.Dispose();
        if (_ownsDatabase)
        {
            await PostgresServer.DropDatabaseAsync(ConnectionString);
        }
    }
}

/// <summary>One 2-silo cluster shared by the tests of <see cref="ClusterCollection"/>; each test owns its job slugs.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await PostgresCluster.StartAsync(2);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Shared PostgreSQL cluster";
}
