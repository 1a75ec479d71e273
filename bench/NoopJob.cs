using Totallator.Grains.Jobs;

namespace Totallator.Bench;

/// <summary>
/// A job that does nothing but measure how late it started: now minus the instant it was due, taken inside the job, returned
/// as the metric <c>latenessMs</c> (stored in <c>cronJobExecution.metrics</c>, where the driver reads it).
/// </summary>
public sealed class NoopJob(TimeProvider timeProvider) : ICronJob
{
    public const string LatenessMetric = "latenessMs";

    public Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var lateness = (timeProvider.GetUtcNow() - context.ScheduledFor).TotalMilliseconds;
        return Task.FromResult(CronJobResult.Succeeded(null, 1, new Dictionary<string, double> { [LatenessMetric] = lateness }));
    }
}
