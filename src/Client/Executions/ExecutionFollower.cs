namespace Totallator.Client;

/// <summary>
/// Follows one occurrence to its end by reading its execution, pausing longer each time (a run of hours must not cost a read
/// every quarter second). When an attempt fails with retries left, the next attempt is looked for among the job's retry rows
/// of the same occurrence: the server decides whether a retry comes (not after a cancel, not while its silo stops), and says
/// so nowhere the API shows, so a retry that has not appeared within <see cref="RetryGrace"/> is taken as not coming.
/// </summary>
internal sealed class ExecutionFollower(ITotallatorClient client, WaitOptions wait, TimeProvider clock)
{
    /// <summary>How long a retry may take to appear: the server's longest backoff (30 s by default) and the claim, with room.</summary>
    public static readonly TimeSpan RetryGrace = TimeSpan.FromSeconds(60);

    private readonly long _started = clock.GetTimestamp();

    public async Task<ExecutionDetails> FollowAsync(Guid executionId, CancellationToken cancellationToken)
    {
        var pause = Positive(wait.PollInterval, TimeSpan.FromMilliseconds(250));
        var longest = wait.MaxPollInterval < pause ? pause : wait.MaxPollInterval;
        var current = executionId;
        long? failedAt = null;
        while (true)
        {
            var details = await client.GetExecutionAsync(current, cancellationToken).ConfigureAwait(false);
            var run = details.Summary;
            if (run.Status.IsTerminal())
            {
                if (!MayRetry(run))
                {
                    return details;
                }
                if (await NextAttemptAsync(run, cancellationToken).ConfigureAwait(false) is { } next)
                {
                    (current, failedAt, pause) = (next.Id, null, Positive(wait.PollInterval, TimeSpan.FromMilliseconds(250)));
                    continue;
                }
                failedAt ??= clock.GetTimestamp();
                if (clock.GetElapsedTime(failedAt.Value) >= RetryGrace || !await HasRetriesLeftAsync(run, cancellationToken).ConfigureAwait(false))
                {
                    return details;
                }
            }
            var waited = clock.GetElapsedTime(_started);
            if (wait.Timeout is { } timeout && waited >= timeout)
            {
                throw new TotallatorWaitTimeoutException(details, timeout);
            }
            var sleep = wait.Timeout is { } limit && limit - waited < pause ? limit - waited : pause;
            await Task.Delay(sleep, clock, cancellationToken).ConfigureAwait(false);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, longest.Ticks));
        }
    }

    /// <summary>A failure or timeout may be tried again; a cancel never is (the server records it as failed, reason cancelled).</summary>
    private bool MayRetry(ExecutionSummary run) =>
        wait.FollowRetries && run.Status is ExecutionStatus.Failed or ExecutionStatus.TimedOut && run.StatusReason != "cancelled";

    private async Task<bool> HasRetriesLeftAsync(ExecutionSummary run, CancellationToken cancellationToken) =>
        run.RetryCount < (await client.GetJobAsync(run.JobSlug, cancellationToken).ConfigureAwait(false)).MaxRetries;

    /// <summary>The attempt after <paramref name="run"/>: a retry row of the same occurrence (retries keep its scheduled instant).</summary>
    private async Task<ExecutionSummary?> NextAttemptAsync(ExecutionSummary run, CancellationToken cancellationToken)
    {
        var page = await client.ListExecutionsAsync(run.JobSlug, new ExecutionQuery
        {
            TriggerSources = [TriggerSource.Retry], From = run.ScheduledFor.AddSeconds(-1), To = run.ScheduledFor.AddSeconds(1), Limit = 100,
        }, cancellationToken).ConfigureAwait(false);
        return page.Items.Where(e => e.OccurrenceKey == run.OccurrenceKey && e.RetryCount > run.RetryCount).MinBy(e => e.RetryCount);
    }

    private static TimeSpan Positive(TimeSpan value, TimeSpan fallback) => value > TimeSpan.Zero ? value : fallback;
}
