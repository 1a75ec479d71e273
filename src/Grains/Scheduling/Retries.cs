using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Scheduling;

/// <summary>
/// When a failed attempt gets another one, and the next attempt's claim: shared by the job grain's run loop and the ledger
/// simulation. The loop itself (backoff, asking again through a store failure) is the grain's.
/// </summary>
public static class Retries
{
    /// <summary>
    /// Whether an attempt that ended with <paramref name="status"/> is tried again: a failure or timeout, not one whose job code
    /// still runs past its cancellation nor one an admin cancelled, while retries remain and the silo is not stopping.
    /// </summary>
    public static bool ShouldRetry(ExecutionStatus status, bool jobStillRunning, bool cancelledFromOutside, int retryCount, int maxRetries, bool stopping) =>
        status is ExecutionStatus.Failed or ExecutionStatus.TimedOut && !jobStillRunning && !cancelledFromOutside && retryCount < maxRetries && !stopping;

    /// <summary>
    /// The claim of the attempt after <paramref name="claim"/>: the same occurrence, the next retry count, claimed without a start
    /// (its start is recorded if it lasts, as every claim's). Not fenced by the job version: the occurrence is already this
    /// run's, and a change during the backoff must not refuse its retry.
    /// </summary>
    public static ExecutionClaim NextAttempt(ExecutionClaim claim, Guid executionId, int maxRetries, TimeSpan backoff)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var retry = claim.RetryCount + 1;
        return claim with
        {
            ExecutionId = executionId, RetryCount = retry, JobVersion = null, TriggeredBy = TriggerSource.Retry, StartedAt = null, AdvancesSchedule = false,
            StatusReason = $"retry {retry} of {maxRetries} after {backoff.TotalSeconds:0.###} s backoff",
        };
    }
}
