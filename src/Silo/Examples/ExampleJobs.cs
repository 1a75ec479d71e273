using Totallator.Grains.Jobs;

namespace Totallator.Silo.Examples;

/// <summary>The example jobs (on unless <c>Cron:Examples:Enabled</c> is false): what a developer's own registrations look like.</summary>
public static class ExampleJobs
{
    public static IServiceCollection AddExampleJobs(this IServiceCollection services, IConfiguration configuration)
    {
        if (!configuration.GetValue("Cron:Examples:Enabled", true))
        {
            return services;
        }
        services.AddCronJob<HeartbeatJob>("heartbeat", "*/10 * * * * *", job =>
        {
            job.Name = "Heartbeat";
            job.Description = "Every 10 s: records how late it started";
            job.TimeoutMs = 5_000;
        });
        services.AddCronJob<ReportJob>("hourly-report", "${REPORT_SCHEDULE:-0 * * * * *}", job =>
        {
            job.Name = "Report";
            job.Description = "Every minute by default (REPORT_SCHEDULE overrides): 2 s of work, fails every fifth minute once";
            job.TimeoutMs = 30_000;
            job.MaxRetries = 2;
        });
        return services;
    }
}
