namespace Totallator.Client;

/// <summary>Options of a manual trigger.</summary>
public sealed record TriggerOptions
{
    /// <summary>Run even while an execution of the job is running (recorded on the new execution and in the audit trail).</summary>
    public bool Override { get; init; }

    /// <summary>
    /// Makes the trigger safe to repeat: within 24 hours, the same key from the same caller for the same job starts nothing new
    /// and answers the first execution (<see cref="TriggerResult.Replayed"/>). Send one per logical request, e.g. a deploy's
    /// id, and retry with the same key after a timeout. At most 200 printable characters. Sent as the <c>Idempotency-Key</c> header.
    /// </summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>The answer to an accepted trigger.</summary>
/// <param name="ExecutionId">The execution the trigger started (or, when replayed, the one the first request started).</param>
/// <param name="Replayed">True when the idempotency key was seen before and nothing new started.</param>
public sealed record TriggerResult(Guid ExecutionId, bool Replayed);

/// <summary>How <see cref="ITotallatorClient.TriggerAndWaitAsync"/> and <see cref="ITotallatorClient.WaitForExecutionAsync"/> follow a run.</summary>
public sealed record WaitOptions
{
    /// <summary>The first pause between two reads of the execution; doubled after each read up to <see cref="MaxPollInterval"/>.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest pause between two reads.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long to wait in all before giving up with <see cref="TotallatorWaitTimeoutException"/> (the run goes on); null waits
    /// until the run ends or the cancellation token fires.
    /// </summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Follow the occurrence's retries: when an attempt fails and the job has retries left, wait for the next attempt and
    /// answer the last one. On by default, so that the answer is the occurrence's outcome; off answers the first attempt.
    /// </summary>
    public bool FollowRetries { get; init; } = true;
}
