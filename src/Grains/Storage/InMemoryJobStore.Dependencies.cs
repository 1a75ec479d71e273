using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>Job dependencies in memory, as 0009_dependencies.sql keeps them in PostgreSQL.</summary>
public sealed partial class InMemoryJobStore : IDependencyStore
{
    private sealed record Signal(Guid Id, Guid DownstreamId, Guid UpstreamId, string UpstreamOccurrenceKey, Guid UpstreamExecutionId,
        ExecutionStatus UpstreamStatus, DateTimeOffset SignalledAt, Guid? ConsumedBy);

    private readonly List<Signal> _signals = [];

    /// <summary>The jobs that run after <paramref name="slug"/> (caller holds the lock).</summary>
    private List<string> DownstreamsOf(string slug) =>
        _jobs.Values.Where(j => j.After.Any(u => u.Slug == slug)).Select(j => j.Slug).Order(StringComparer.Ordinal).ToList();

    /// <summary>The graph (caller holds the lock).</summary>
    private List<DependencyNode> Graph()
    {
        var referenced = _jobs.Values.SelectMany(j => j.After).Select(u => u.Slug).ToHashSet(StringComparer.Ordinal);
        return _jobs.Values.Where(j => j.After.Count > 0 || referenced.Contains(j.Slug)).OrderBy(j => j.Slug, StringComparer.Ordinal)
            .Select(j => new DependencyNode(j.Slug, j.IsEnabled, j.IsOrphaned, j.InvalidReason, j.After)).ToList();
    }

    /// <summary>The signals an ended final attempt makes (caller holds the lock); as <c>SignalEnded</c> in PostgreSQL.</summary>
    private void SignalDownstream(ExecutionRecord ended)
    {
        if (ended.Status is not (ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned)
            || JobById(ended.CronJobId) is not { } upstream)
        {
            return;
        }
        foreach (var downstream in _jobs.Values.Where(j => j.IsEnabled && !j.IsOrphaned))
        {
            if (downstream.After.Any(u => u.Slug == upstream.Slug && u.Condition.IsMetBy(ended.Status))
                && !_signals.Any(r => r.DownstreamId == downstream.Id && r.UpstreamId == upstream.Id && r.UpstreamOccurrenceKey == ended.OccurrenceKey))
            {
                _signals.Add(new Signal(Guid.NewGuid(), downstream.Id, upstream.Id, ended.OccurrenceKey, ended.Id, ended.Status,
                    timeProvider.GetUtcNow(), null));
            }
        }
    }

    public Task<IReadOnlyList<PendingSignal>> GetPendingSignalsAsync(Guid jobId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<PendingSignal>>(_signals.Where(r => r.DownstreamId == jobId && r.ConsumedBy is null)
                .Select(r => new PendingSignal(r.Id, SlugOf(r.UpstreamId), r.UpstreamOccurrenceKey, r.UpstreamExecutionId, r.UpstreamStatus, r.SignalledAt))
                .ToList());
        }
    }

    private string SlugOf(Guid jobId) => JobById(jobId)!.Slug;

    public Task<bool> ClaimDependencyRunAsync(DependencyClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var c = claim.Claim;
        lock (_lock)
        {
            if (IsFenced(c.LeaseOwner))
            {
                throw PostgresJobStore.DeclaredDead(c.LeaseOwner);
            }
            if (_executions.ContainsKey(c.ExecutionId))
            {
                // Asked again after a lost answer: the row is the claim's own.
                return Task.FromResult(true);
            }
            var consumed = _signals.Where(r => claim.Consumes.Contains(r.Id) && r.DownstreamId == c.CronJobId && r.ConsumedBy is null).ToList();
            if (consumed.Count != claim.Consumes.Count || !_claims.Add((c.CronJobId, c.OccurrenceKey, 0)))
            {
                return Task.FromResult(false);
            }
            var now = timeProvider.GetUtcNow();
            _executions[c.ExecutionId] = new ExecutionRecord
            {
                Id = c.ExecutionId, CronJobId = c.CronJobId, OccurrenceKey = c.OccurrenceKey, ScheduledFor = c.ScheduledFor,
                Status = claim.EndsAs ?? ExecutionStatus.Claimed, CompletedAt = claim.EndsAs is null ? null : c.ScheduledFor,
                TriggeredBy = TriggerSource.Dependency, RetryCount = 0, StatusReason = c.StatusReason, LeaseOwner = c.LeaseOwner,
                LeaseExpiresAt = claim.EndsAs is null ? now + c.LeaseDuration : null, UpstreamExecutionIds = claim.UpstreamExecutionIds,
            };
            foreach (var r in consumed)
            {
                _signals[_signals.IndexOf(r)] = r with { ConsumedBy = c.ExecutionId };
            }
            if (claim.EndsAs is not null)
            {
                CountStats(_executions[c.ExecutionId]);
            }
            return Task.FromResult(true);
        }
    }

    public Task SignalDownstreamAsync(Guid executionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_executions.TryGetValue(executionId, out var row))
            {
                SignalDownstream(row);
                CountEnded(row);
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> FindReadyDownstreamsAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var cutoff = timeProvider.GetUtcNow() - olderThan;
            var pending = _signals.Where(r => r.ConsumedBy is null).ToList();
            return Task.FromResult<IReadOnlyList<string>>(_jobs.Values
                .Where(d => d.After.Count > 0 && pending.Any(r => r.DownstreamId == d.Id && r.SignalledAt < cutoff)
                            && d.After.All(u => pending.Any(r => r.DownstreamId == d.Id && SlugOf(r.UpstreamId) == u.Slug)))
                .Select(d => d.Slug).Order(StringComparer.Ordinal).ToList());
        }
    }

    public Task<IReadOnlyList<DependencyNode>> GetDependencyGraphAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<DependencyNode>>(Graph());
        }
    }

    /// <summary>Signals consumed by executions being deleted go with them (caller holds the lock), as the foreign key cascades.</summary>
    private void ForgetSignalsConsumedBy(HashSet<Guid> executionIds) =>
        _signals.RemoveAll(r => r.ConsumedBy is { } by && executionIds.Contains(by));

    /// <summary>The upstream executions that signalled this execution's occurrence (caller holds the lock).</summary>
    private List<ChainLink> UpstreamRuns(ExecutionRecord e) =>
        _executions.Values.FirstOrDefault(f => f.CronJobId == e.CronJobId && f.OccurrenceKey == e.OccurrenceKey && f.RetryCount == 0)
            ?.UpstreamExecutionIds?.Select(id => _executions.GetValueOrDefault(id)).OfType<ExecutionRecord>()
            .Select(u => new ChainLink(SlugOf(u.CronJobId), u.Id, u.Status)).OrderBy(l => l.JobSlug, StringComparer.Ordinal).ToList() ?? [];

    /// <summary>What this execution's occurrence signalled (caller holds the lock).</summary>
    private List<ChainLink> DownstreamRunsOf(ExecutionRecord e)
    {
        var attempts = _executions.Values.Where(a => a.CronJobId == e.CronJobId && a.OccurrenceKey == e.OccurrenceKey).Select(a => a.Id).ToHashSet();
        return _signals.Where(r => attempts.Contains(r.UpstreamExecutionId))
            .Select(r => new ChainLink(SlugOf(r.DownstreamId), r.ConsumedBy, r.ConsumedBy is { } by && _executions.TryGetValue(by, out var c) ? c.Status : null))
            .OrderBy(l => l.JobSlug, StringComparer.Ordinal).ToList();
    }
}
