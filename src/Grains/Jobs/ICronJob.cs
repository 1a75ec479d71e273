namespace Totallator.Grains.Jobs;

/// <summary>
/// What a developer implements to add a job. One instance is created per execution from a DI scope, so a job may take
/// scoped services in its constructor. Register it with <c>AddCronJob&lt;TJob&gt;(slug, …)</c>.
/// </summary>
public interface ICronJob
{
    /// <summary>
    /// Runs one attempt of one occurrence. Honour <see cref="CronJobContext.CancellationToken"/>: it fires at the timeout and at shutdown.
    /// Return <see cref="CronJobResult.Failure"/> or throw to fail the attempt (it is retried up to the job's <c>maxRetries</c>).
    /// </summary>
    Task<CronJobResult> ExecuteAsync(CronJobContext context);
}
