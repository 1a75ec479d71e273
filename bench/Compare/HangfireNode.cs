using System.Globalization;
using Hangfire;
using Microsoft.Extensions.Configuration;
using Hangfire.Common;
using Hangfire.PostgreSql;
using Hangfire.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Totallator.Bench.Compare;

/// <summary>
/// The <c>hangfire-node</c> child role: one Hangfire server (<see cref="HangfireSettings"/>) on Hangfire.PostgreSql; with
/// <c>--register 1</c> it also adds the N recurring jobs (RecurringJob.AddOrUpdate, one per job, in UTC). READY once the host
/// runs; node 0 adds the jobs after that. Logs at Warning to stderr; exits when the driver is gone (<see cref="ParentWatch"/>).
/// </summary>
public static class HangfireNode
{
    public static async Task<int> RunAsync(NodeArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = Host.CreateApplicationBuilder();
        var postgres = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(postgres) || FireRecorder.FromEnvironment() is not { } recorder)
        {
            await Console.Error.WriteLineAsync($"hangfire node: set ConnectionStrings__Postgres and {FireRecorder.ConnectionVariable} in the environment.");
            return 2;
        }
        HangfireFireJob.Recorder = recorder;
        HangfireFireJob.Schedule = (args.Schedule, args.Spread);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(o => o.UseNpgsqlConnection(postgres), HangfireSettings.StorageOptions()));
        builder.Services.AddHangfireServer(o =>
        {
            var options = HangfireSettings.ServerOptions(string.Create(CultureInfo.InvariantCulture, $"bench-{Environment.ProcessId}"));
            o.ServerName = options.ServerName;
            o.WorkerCount = options.WorkerCount;
            o.SchedulePollingInterval = options.SchedulePollingInterval;
        });
        if (args.ParentPid is { } parent)
        {
            builder.Services.AddSingleton(new ParentWatch.Parent(parent));
            builder.Services.AddHostedService<ParentWatch>();
        }
        try
        {
            using var host = builder.Build();
            await host.StartAsync();
            // READY says the server runs; registration is timed apart, from the database, as for the other schedulers.
            await Console.Out.WriteLineAsync(ReadySignal.Line);
            await Console.Out.FlushAsync();
            if (args.Register)
            {
                var manager = host.Services.GetRequiredService<IRecurringJobManager>();
                for (var i = 0; i < args.Jobs; i++)
                {
                    var index = i;
                    manager.AddOrUpdate(string.Create(CultureInfo.InvariantCulture, $"bench-{i:D6}"),
                        Job.FromExpression(() => HangfireFireJob.Run(index, null)),
                        JobSchedules.For(args.Schedule, args.Spread, i),
                        new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
                }
            }
            await host.WaitForShutdownAsync();
            return 0;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"hangfire node: failed: {ex}");
            return 1;
        }
    }
}

/// <summary>
/// Hangfire's job. A background job created from a recurring job carries the parameter "Time": in Relaxed misfire mode (the
/// default) that is the moment the RecurringJobScheduler created it (Unix seconds), not the cron instant. The instant is derived
/// as the job's last cron occurrence at or before "Time" (<see cref="JobSchedules.LatestAtOrBefore"/>); occurrences Relaxed mode
/// folded into one fire have no fire of their own and count as never fired.
/// </summary>
public static class HangfireFireJob
{
    public static FireRecorder? Recorder { get; set; }
    public static (string Schedule, int Spread) Schedule { get; set; } = ("*/5 * * * * *", 1);

    // Hangfire passes the running job's PerformContext for a parameter of that type (null in the expression).
    public static void Run(int job, PerformContext? context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var time = DateTimeOffset.FromUnixTimeSeconds(context.GetJobParameter<long>("Time", allowStale: true));
        Recorder?.Record(job, JobSchedules.LatestAtOrBefore(Schedule.Schedule, Schedule.Spread, job, time));
    }
}
