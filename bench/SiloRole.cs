using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Totallator.Bench.Compare;
using Totallator.Grains.Hosting;
using Totallator.Grains.Jobs;

namespace Totallator.Bench;

/// <summary>
/// The child process: one silo wired exactly as <c>src/Silo</c> wires a PostgreSQL cluster (UsePostgresCluster,
/// AddTotallatorScheduler, loopback endpoints, ClusterOptions), with N no-op jobs registered through the developer API.
/// The driver applies the schema before it starts silos. Logs at Warning to stderr, so stdout carries only <c>READY</c>.
/// </summary>
public static class SiloRole
{
    public static async Task<int> RunAsync(SiloArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = Host.CreateApplicationBuilder();
        var postgres = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            await Console.Error.WriteLineAsync("silo role: set ConnectionStrings__Postgres in the environment.");
            return 2;
        }
        // The built-in cleanup job would be one job more than N and skew the counts.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Cron:BuiltIn:HistoryCleanup:Enabled"] = "false" });
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        // The fallback level only: Logging__LogLevel__* from the environment still wins, for a closer look at a silo.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);

        // --compare: the job body records each fire through the recorder the Quartz and Hangfire nodes use too.
        var recorder = FireRecorder.FromEnvironment();
        if (recorder is not null)
        {
            builder.Services.AddSingleton(recorder);
        }
        for (var i = 0; i < args.Jobs; i++)
        {
            var slug = string.Create(CultureInfo.InvariantCulture, $"bench-{i:D6}");
            var schedule = JobSchedules.For(args.Schedule, args.Spread, i);
            Action<CronJobOptions> options = o =>
            {
                o.Name = string.Create(CultureInfo.InvariantCulture, $"Bench job {i:D6}");
                o.TimeoutMs = 10_000;
            };
            if (recorder is null)
            {
                builder.Services.AddCronJob<NoopJob>(slug, schedule, options);
            }
            else
            {
                builder.Services.AddCronJob<TotallatorFireJob>(slug, schedule, options);
            }
        }
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = args.Cluster;
                o.ServiceId = args.Cluster;
            });
            silo.ConfigureEndpoints(IPAddress.Loopback, args.Port, args.Gateway);
            silo.UsePostgresCluster(postgres);
            silo.AddTotallatorScheduler(builder.Configuration);
        });
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ReadySignal>();
        if (args.ParentPid is { } parent)
        {
            builder.Services.AddSingleton(new ParentWatch.Parent(parent));
            builder.Services.AddHostedService<ParentWatch>();
        }

        try
        {
            using var host = builder.Build();
            await host.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The driver shows the tail of stderr when a silo dies before READY.
            await Console.Error.WriteLineAsync($"silo role: the silo failed: {ex}");
            return 1;
        }
    }
}
