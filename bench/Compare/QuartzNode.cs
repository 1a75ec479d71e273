using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace Totallator.Bench.Compare;

/// <summary>
/// The <c>quartz-node</c> child role: one clustered Quartz scheduler (<see cref="QuartzSettings"/>) whose job records each fire;
/// with <c>--register 1</c> it also stores the N jobs and their cron triggers (one ScheduleJobs call) once it runs. Prints READY
/// once started. Logs at Warning to stderr; exits when the driver is gone (<see cref="ParentWatch"/>).
/// </summary>
public static class QuartzNode
{
    public static async Task<int> RunAsync(NodeArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = Host.CreateApplicationBuilder();
        var postgres = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(postgres) || FireRecorder.FromEnvironment() is not { } recorder)
        {
            await Console.Error.WriteLineAsync($"quartz node: set ConnectionStrings__Postgres and {FireRecorder.ConnectionVariable} in the environment.");
            return 2;
        }
        QuartzFireJob.Recorder = recorder;
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (args.ParentPid is { } parent)
        {
            builder.Services.AddSingleton(new ParentWatch.Parent(parent));
            builder.Services.AddHostedService<ParentWatch>();
        }
        try
        {
            using var host = builder.Build();
            Quartz.Diagnostics.LogProvider.SetLogProvider(host.Services.GetRequiredService<ILoggerFactory>());
            var scheduler = await QuartzSchedulerBuilder.Create().UseProperties(QuartzSettings.Properties(postgres, args.Profile)).BuildScheduler();
            await scheduler.Start();
            // READY says the node runs; registration is timed apart, from the database, as for the other schedulers.
            await Console.Out.WriteLineAsync(ReadySignal.Line);
            await Console.Out.FlushAsync();
            if (args.Register)
            {
                await RegisterAsync(scheduler, args);
            }
            await host.RunAsync();
            await scheduler.Shutdown(waitForJobsToComplete: false);
            return 0;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"quartz node: failed: {ex}");
            return 1;
        }
    }

    /// <summary>N durable-less jobs, each with one cron trigger in UTC, stored in one call (Quartz writes them under its lock).</summary>
    private static async Task RegisterAsync(IScheduler scheduler, NodeArguments args)
    {
        var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>();
        for (var i = 0; i < args.Jobs; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"bench-{i:D6}");
            var job = JobBuilder.Create<QuartzFireJob>().WithIdentity(name).Build();
            var trigger = TriggerBuilder.Create().WithIdentity(name).ForJob(job)
                .WithCronSchedule(QuartzSettings.Cron(JobSchedules.For(args.Schedule, args.Spread, i)), c => c.InTimeZone(TimeZoneInfo.Utc))
                .Build();
            jobs[job] = [trigger];
        }
        await scheduler.ScheduleJobs(jobs, new ScheduleJobOptions { Replace = true });
    }
}

/// <summary>Quartz's job: records (its index, Quartz's scheduled fire time, now) and does nothing else.</summary>
public sealed class QuartzFireJob : IJob
{
    /// <summary>Set once by the node before the scheduler starts; Quartz creates the job through its own factory.</summary>
    public static FireRecorder? Recorder { get; set; }

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        // ScheduledFireTimeUtc is the trigger's instant (FireTimeUtc is when Quartz fired it).
        Recorder?.Record(TotallatorFireJob.JobIndex(context.JobDetail.Key.Name), context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
        return ValueTask.CompletedTask;
    }
}
