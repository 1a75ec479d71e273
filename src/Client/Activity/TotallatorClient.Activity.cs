namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>
    /// Executions running now and the latest that ended (since <paramref name="since"/>, at most <paramref name="limit"/>),
    /// across all jobs (viewer). To follow ends, pass a <paramref name="since"/> some seconds before the previous answer's
    /// <see cref="Activity.Now"/> and skip ids already seen: an end becomes visible a moment after its completion time.
    /// </summary>
    Task<Activity> GetActivityAsync(DateTimeOffset? since = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Who this client is to the API: its key's name and role (viewer).</summary>
    Task<SessionInfo> GetCallerAsync(CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<Activity> GetActivityAsync(DateTimeOffset? since = null, int? limit = null, CancellationToken cancellationToken = default) =>
        SendAsync<Activity>(HttpMethod.Get, "activity" + new QueryString().Add("since", since).Add("limit", limit), null, cancellationToken);

    /// <inheritdoc />
    public Task<SessionInfo> GetCallerAsync(CancellationToken cancellationToken = default) =>
        SendAsync<SessionInfo>(HttpMethod.Get, "session", null, cancellationToken);
}
