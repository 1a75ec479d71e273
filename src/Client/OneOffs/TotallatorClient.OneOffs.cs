namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>Schedules one run of the job at a future instant (operator); it runs once, fenced like every occurrence.</summary>
    Task<OneOffRun> ScheduleRunAsync(string slug, OneOffRunRequest request, CancellationToken cancellationToken = default);

    /// <summary>The job's pending one-off runs, soonest first; with <paramref name="all"/>, cancelled and taken ones too (viewer).</summary>
    Task<IReadOnlyList<OneOffRun>> ListScheduledRunsAsync(string slug, bool all = false, CancellationToken cancellationToken = default);

    /// <summary>Cancels a pending one-off run (operator).</summary>
    /// <exception cref="TotallatorConflictException">It has started or was cancelled already.</exception>
    Task CancelScheduledRunAsync(string slug, Guid runId, CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<OneOffRun> ScheduleRunAsync(string slug, OneOffRunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync<OneOffRun>(HttpMethod.Post, $"jobs/{Segment(slug)}/runs", request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<OneOffRun>> ListScheduledRunsAsync(string slug, bool all = false, CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<OneOffRun>>(HttpMethod.Get, $"jobs/{Segment(slug)}/runs" + new QueryString().Add("all", all ? true : null), null, cancellationToken);

    /// <inheritdoc />
    public Task CancelScheduledRunAsync(string slug, Guid runId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"jobs/{Segment(slug)}/runs/{runId}", null, cancellationToken);
}
