namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>One execution with its output, error message and stack trace (viewer).</summary>
    /// <exception cref="TotallatorNotFoundException">No execution with this id.</exception>
    Task<ExecutionDetails> GetExecutionAsync(Guid executionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Follows an execution to its end, reading it with a growing pause (<see cref="WaitOptions"/>), and by default through the
    /// retries of its occurrence. The answer is in a terminal status; a failed run is an answer, not an exception.
    /// </summary>
    /// <exception cref="TotallatorWaitTimeoutException">The run had not ended within <see cref="WaitOptions.Timeout"/>.</exception>
    Task<ExecutionDetails> WaitForExecutionAsync(Guid executionId, WaitOptions? wait = null, CancellationToken cancellationToken = default);

    /// <summary>Asks a running execution to stop (operator); it ends as failed, reason <c>cancelled</c>, without a retry.</summary>
    /// <exception cref="TotallatorConflictException">The execution is not running.</exception>
    Task<CancelResult> CancelExecutionAsync(Guid executionId, CancellationToken cancellationToken = default);

    /// <summary>Deletes ended executions older than <paramref name="olderThanDays"/> (default: the retention setting) and old audit rows (admin).</summary>
    Task<CleanupResult> CleanupExecutionsAsync(int? olderThanDays = null, CancellationToken cancellationToken = default);

    /// <summary>What <see cref="CleanupExecutionsAsync"/> would delete now, counted without deleting (admin).</summary>
    Task<CleanupPreview> PreviewCleanupAsync(int? olderThanDays = null, CancellationToken cancellationToken = default);
}
