namespace Totallator.Client;

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<ExecutionDetails> GetExecutionAsync(Guid executionId, CancellationToken cancellationToken = default) =>
        SendAsync<ExecutionDetails>(HttpMethod.Get, $"executions/{executionId}", null, cancellationToken);

    /// <inheritdoc />
    public Task<ExecutionDetails> WaitForExecutionAsync(Guid executionId, WaitOptions? wait = null, CancellationToken cancellationToken = default) =>
        new ExecutionFollower(this, wait ?? new WaitOptions(), TimeProvider.System).FollowAsync(executionId, cancellationToken);

    /// <inheritdoc />
    public Task<CancelResult> CancelExecutionAsync(Guid executionId, CancellationToken cancellationToken = default) =>
        SendAsync<CancelResult>(HttpMethod.Post, $"executions/{executionId}/cancel", null, cancellationToken);

    /// <inheritdoc />
    public Task<CleanupResult> CleanupExecutionsAsync(int? olderThanDays = null, CancellationToken cancellationToken = default) =>
        SendAsync<CleanupResult>(HttpMethod.Post, "executions/cleanup", olderThanDays is null ? null : new { olderThanDays }, cancellationToken);

    /// <inheritdoc />
    public Task<CleanupPreview> PreviewCleanupAsync(int? olderThanDays = null, CancellationToken cancellationToken = default) =>
        SendAsync<CleanupPreview>(HttpMethod.Get, "executions/cleanup" + new QueryString().Add("olderThanDays", olderThanDays), null, cancellationToken);
}
