using Totallator.Grains.Jobs;
using Totallator.Grains.JobTypes;

namespace Totallator.Silo.Examples;

/// <summary>
/// The example jobs: what a developer's own registrations look like. They belong to the development mode, where they are on
/// unless <c>Cron:Examples:Enabled</c> is false; a cluster runs them only when that setting is true, because one of them fails
/// on purpose. A cluster that stored them before marks them orphaned at its next start, as any job no longer defined.
/// </summary>
public static class ExampleJobs
{
    public static IServiceCollection AddExampleJobs(this IServiceCollection services, IConfiguration configuration, bool developmentMode)
    {
        if (!(configuration.GetValue<bool?>("Cron:Examples:Enabled") ?? developmentMode))
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
        services.AddCronJobType<ExportJob, ExportParameters>("export", type =>
        {
            type.DisplayName = "Table export";
            type.Description = "Exports a table's recent rows; create one job per table.";
        });
        return services;
    }
}
