using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Telemetry.Infrastructure;

/// <summary>
/// A 1-silo cluster on PostgreSQL whose scheduler tags its series with the job slug (so tests find theirs among the other
/// clusters' in this process), retries after 100 ms, and logs through <see cref="CapturingLoggerProvider"/> down to Debug.
/// </summary>
public sealed class TelemetryClusterFixture : IAsyncLifetime
{
    public PostgresCluster Cluster { get; private set; } = null!;

    /// <summary>Started before the cluster, so no instrument is published unseen.</summary>
    public TelemetryCapture Capture { get; } = new();

    /// <summary>The silo's meter factory: the scope of the meter its measurements come from.</summary>
    public IMeterFactory SiloMeters => ((InProcessSiloHandle)Cluster.Cluster.Silos[0]).SiloHost.Services.GetRequiredService<IMeterFactory>();

    public async Task InitializeAsync()
    {
        var settings = PostgresCluster.DefaultTimings();
        settings["Telemetry:Metrics:TagJobSlug"] = "true";
        settings["Cron:Scheduler:RetryBaseDelay"] = "00:00:00.100";
        Cluster = await PostgresCluster.StartAsync(1, settings, configure: b => b.AddSiloBuilderConfigurator<CapturingLogsConfigurator>());
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        Capture.Dispose();
    }
}

/// <summary>Adds the capturing logger provider, with the scheduler's categories at Debug (run starts and successes log there).</summary>
public sealed class CapturingLogsConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.Services.AddLogging(b => b
        .AddProvider(new CapturingLoggerProvider())
        .AddFilter<CapturingLoggerProvider>("Totallator", LogLevel.Debug));
}

[CollectionDefinition(Name)]
public sealed class TelemetryClusterCollection : ICollectionFixture<TelemetryClusterFixture>
{
    public const string Name = "Telemetry on a PostgreSQL cluster";
}
