namespace Totallator.Grains.Storage;

/// <summary>
/// The store a silo uses in a real cluster: claims and completions from all the silo's job grains go through
/// <see cref="ExecutionWriteBatcher{TItem}"/>s, and so do the occurrences they record as missed or skipped; a job's load waits
/// for one of a fixed number of slots; everything else goes straight to the inner store. Same contract as the inner store
/// (the contract tests run on it too).
/// </summary>
public sealed class BatchingJobStore : IJobStore, IAsyncDisposable
{
    /// <summary>Most rows in one statement: large enough to carry thousands of fires per second, small enough to stay a quick statement.</summary>
    public const int MaxBatch = 500;

    private readonly IJobStore _inner;
    private readonly ExecutionWriteBatcher<ExecutionClaim> _claims;
    private readonly ExecutionWriteBatcher<ExecutionCompletion> _completions;
    private readonly ExecutionWriteBatcher<JobHost> _hosts;
    // A cluster start after downtime has every job record what it missed: one commit each was the busiest statement of a
    // 100,000-job start (bench n100000, 4.4 backends active on it, waiting on WAL writes).
    private readonly ExecutionWriteBatcher<UnrunRequest> _unrun;
    // Mass activations (a cluster start, a burst of reminders, jobs waking together) queue here in memory instead of in the
    // connection pool, whose wait ends in a timeout: 100,000 reminders due together exhausted 100 connections and failed
    // every load (bench n100000). The slots leave the rest of the pool to the batches, which keep firing on time.
    // (Loads are not batched: each reads and takes over its own job's rows in four statements.)
    private readonly SemaphoreSlim _loadSlots;

    /// <param name="inner">The store that runs the statements.</param>
    /// <param name="loadSlots">How many job loads run at once; well below the connection pool (<see cref="Hosting.SchedulerOptions.JobLoadSlots"/>).</param>
    public BatchingJobStore(IJobStore inner, int loadSlots)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(loadSlots, 1);
        _inner = inner;
        _loadSlots = new SemaphoreSlim(loadSlots, loadSlots);
        _claims = new ExecutionWriteBatcher<ExecutionClaim>(inner.TryClaimManyAsync, MaxBatch);
        _completions = new ExecutionWriteBatcher<ExecutionCompletion>(inner.CompleteManyAsync, MaxBatch);
        _hosts = new ExecutionWriteBatcher<JobHost>(inner.SetHostsAsync, MaxBatch);
        _unrun = new ExecutionWriteBatcher<UnrunRequest>(WriteUnrunAsync, MaxBatch);
    }

    public Task<bool> TryClaimAsync(ExecutionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return _claims.WriteAsync(claim, claim.ExecutionId);
    }

    public Task<bool> CompleteAsync(ExecutionCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return _completions.WriteAsync(completion, completion.ExecutionId);
    }

    public Task<IReadOnlySet<Guid>> TryClaimManyAsync(IReadOnlyList<ExecutionClaim> claims, CancellationToken cancellationToken) =>
        _inner.TryClaimManyAsync(claims, cancellationToken);

    public Task<IReadOnlySet<Guid>> CompleteManyAsync(IReadOnlyList<ExecutionCompletion> completions, CancellationToken cancellationToken) =>
        _inner.CompleteManyAsync(completions, cancellationToken);

    /// <summary>Queued with the other activations of this silo (a cluster start activates thousands at once).</summary>
    public async Task<IReadOnlySet<Guid>> SetHostsAsync(IReadOnlyList<JobHost> hosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        var found = await Task.WhenAll(hosts.Select(h => _hosts.WriteAsync(h, h.JobId)));
        return hosts.Where((_, i) => found[i]).Select(h => h.JobId).ToHashSet();
    }

    public Task<IReadOnlyList<string>> TakeJobsHostedByAsync(string silo, CancellationToken cancellationToken) =>
        _inner.TakeJobsHostedByAsync(silo, cancellationToken);

    public Task<IReadOnlySet<Guid>> MarkStartedManyAsync(IReadOnlyList<ExecutionStart> starts, CancellationToken cancellationToken) =>
        _inner.MarkStartedManyAsync(starts, cancellationToken);

    public Task<ClaimRelease> ReleaseClaimAsync(Guid executionId, string owner, string reason, bool withdraw, CancellationToken cancellationToken,
        DateTimeOffset? scheduledFor = null) =>
        _inner.ReleaseClaimAsync(executionId, owner, reason, withdraw, cancellationToken, scheduledFor);

    public async Task<JobLoad> LoadJobAsync(string slug, string owner, TimeSpan lease, CancellationToken cancellationToken, HeartbeatKey? heartbeat = null)
    {
        await _loadSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await _inner.LoadJobAsync(slug, owner, lease, cancellationToken, heartbeat).ConfigureAwait(false);
        }
        finally
        {
            _loadSlots.Release();
        }
    }

    public Task<int> WriteHeartbeatsAsync(string serviceId, IReadOnlyList<HeartbeatRow> rows, TimeSpan period, CancellationToken cancellationToken) =>
        _inner.WriteHeartbeatsAsync(serviceId, rows, period, cancellationToken);

    public Task SyncDefinitionsAsync(IReadOnlyList<Jobs.CronJobDefinition> definitions, DateTimeOffset now, CancellationToken cancellationToken) =>
        _inner.SyncDefinitionsAsync(definitions, now, cancellationToken);

    public Task<JobRecord?> GetJobAsync(string slug, CancellationToken cancellationToken) => _inner.GetJobAsync(slug, cancellationToken);

    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) => _inner.ReadClockAsync(cancellationToken);

    public Task<DateTimeOffset?> CheckInAsync(string owner, CancellationToken cancellationToken) => _inner.CheckInAsync(owner, cancellationToken);

    public Task<DeadSiloFence?> FenceDeadSiloAsync(string owner, TimeSpan startWindow, string reason, CancellationToken cancellationToken) =>
        _inner.FenceDeadSiloAsync(owner, startWindow, reason, cancellationToken);

    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(CancellationToken cancellationToken) => _inner.ListJobsAsync(cancellationToken);

    public Task<JobRecord> UpdateJobAsync(string slug, JobUpdate update, DateTimeOffset now, CancellationToken cancellationToken) =>
        _inner.UpdateJobAsync(slug, update, now, cancellationToken);

    public Task SetInvalidReasonAsync(Guid jobId, string? reason, CancellationToken cancellationToken) =>
        _inner.SetInvalidReasonAsync(jobId, reason, cancellationToken);

    /// <summary>Queued with the other jobs' unrun occurrences of this silo; true when every one was planned on the current job.</summary>
    public Task<bool> RecordUnrunAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        if (occurrences.Count == 0)
        {
            return Task.FromResult(true);
        }
        var request = new UnrunRequest(Guid.NewGuid(), occurrences);
        return _unrun.WriteAsync(request, request.Key);
    }

    public Task<IReadOnlySet<Guid>> RecordUnrunManyAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken) =>
        _inner.RecordUnrunManyAsync(occurrences, cancellationToken);

    /// <summary>One statement for the requests of many jobs; a request counts as applied when all its occurrences were current.</summary>
    private async Task<IReadOnlySet<Guid>> WriteUnrunAsync(IReadOnlyList<UnrunRequest> requests, CancellationToken cancellationToken)
    {
        var current = await _inner.RecordUnrunManyAsync(requests.SelectMany(r => r.Occurrences).ToList(), cancellationToken).ConfigureAwait(false);
        return requests.Where(r => r.Occurrences.All(o => current.Contains(o.ExecutionId))).Select(r => r.Key).ToHashSet();
    }

    /// <summary>One job's call to <see cref="RecordUnrunAsync"/>, keyed for the batcher.</summary>
    private sealed record UnrunRequest(Guid Key, IReadOnlyList<UnrunOccurrence> Occurrences);

    public Task RenewLeasesAsync(IReadOnlyCollection<Guid> executionIds, TimeSpan lease, CancellationToken cancellationToken, ScheduledSpan within = default) =>
        _inner.RenewLeasesAsync(executionIds, lease, cancellationToken, within);

    public Task<int> AbandonExpiredAsync(CancellationToken cancellationToken) => _inner.AbandonExpiredAsync(cancellationToken);

    public Task<IReadOnlyList<ExecutionRecord>> GetExecutionsAsync(Guid jobId, int limit, CancellationToken cancellationToken) =>
        _inner.GetExecutionsAsync(jobId, limit, cancellationToken);

    public Task<ExecutionRecord?> GetExecutionAsync(Guid executionId, CancellationToken cancellationToken) =>
        _inner.GetExecutionAsync(executionId, cancellationToken);


    public Task<bool> TryBeginWakePassAsync(DateTimeOffset now, TimeSpan window, string silo, IReadOnlyCollection<string> activeSilos,
        CancellationToken cancellationToken) =>
        _inner.TryBeginWakePassAsync(now, window, silo, activeSilos, cancellationToken);

    public Task<string?> GetConfigValueAsync(string key, CancellationToken cancellationToken) => _inner.GetConfigValueAsync(key, cancellationToken);


    public async ValueTask DisposeAsync()
    {
        await _claims.DisposeAsync();
        await _completions.DisposeAsync();
        await _hosts.DisposeAsync();
        await _unrun.DisposeAsync();
        _loadSlots.Dispose();
    }
}
