using Microsoft.Extensions.Logging;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.JobGrain;

public sealed partial class CronJobGrain
{
    /// <summary>The actor of the audit row when the circuit breaker pauses a job.</summary>
    internal const string SystemActor = "system";

    /// <summary>
    /// The circuit breaker, after a final attempt that failed: the store counts the streak in the statement that ends the attempt
    /// (so it counts ends recorded by other silos and the sweeper too); once it reaches the job's threshold, the job disables
    /// itself as an admin would (its claim ahead withdrawn, the change audited as by 'system'), with the reason kept on the job
    /// and an alert event 'paused' written with the change. An operator resumes it by enabling it, which clears both.
    /// </summary>
    private async Task CheckBreakerAsync()
    {
        if (_job is not { PauseAfterFailures: { } threshold, IsEnabled: true })
        {
            return;
        }
        try
        {
            var row = await store.GetJobAsync(_slug, CancellationToken.None);
            if (row is not { IsEnabled: true } || row.Version != _job.Version)
            {
                return;
            }
            _job = _job with { FailureStreak = row.FailureStreak };
            if (row.FailureStreak < threshold)
            {
                return;
            }
            var now = clock.GetUtcNow();
            var reason = $"{row.FailureStreak} failed occurrences in a row (its circuit breaker opens at {threshold}), the last ended {now:yyyy-MM-dd HH:mm:ss}Z. Enable the job to resume it.";
            LogBreakerOpened(logger, _slug, row.FailureStreak, threshold);
            await ApplyConfigAsync(new JobConfigChange { IsEnabled = false, ExpectedVersion = row.Version, ChangedBy = SystemActor }, _job, now, null, reason);
        }
        catch (Exception ex) when (ex is JobVersionConflictException || StoreGuard.IsStoreFailure(ex))
        {
            // Someone changed the job meanwhile, or the database is away: the next failure checks again.
            LogBreakerCheckFailed(logger, ex, _slug);
        }
    }

    /// <summary>
    /// The job as loaded already has a streak at its threshold: its last failure was counted, but the silo that ran it died (or
    /// the sweeper recorded it abandoned) before the breaker was checked. Checked when the job is planned (activation, reload,
    /// heartbeat), so the job pauses before it runs again.
    /// </summary>
    private bool BreakerDue() => _job is { PauseAfterFailures: { } threshold, IsEnabled: true, FailureStreak: var streak } && streak >= threshold;

    [LoggerMessage(EventId = 1190, Level = LogLevel.Warning, Message = "Job {JobSlug}: {Streak} failed occurrences in a row reached its circuit breaker ({Threshold}); pausing the job")]
    private static partial void LogBreakerOpened(ILogger logger, string jobSlug, int streak, int threshold);

    [LoggerMessage(EventId = 1191, Level = LogLevel.Warning, Message = "Job {JobSlug}: the circuit breaker could not be checked; the next failure checks again")]
    private static partial void LogBreakerCheckFailed(ILogger logger, Exception exception, string jobSlug);
}
