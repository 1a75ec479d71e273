using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.OneOff;

namespace Totallator.Grains.Storage;

/// <summary>One-off runs in memory, as 0010_one_off_runs.sql keeps them in PostgreSQL.</summary>
public sealed partial class InMemoryJobStore : IOneOffStore
{
    private readonly Dictionary<Guid, (Guid JobId, OneOffRun Run)> _oneOffs = [];

    public Task AddOneOffAsync(Guid jobId, OneOffRun run, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_lock)
        {
            _oneOffs.Add(run.Id, (jobId, run));
            _audit.Add(audit);
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OneOffRun>> GetOneOffsAsync(Guid jobId, string jobSlug, bool pendingOnly, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var runs = _oneOffs.Values.Where(o => o.JobId == jobId && (!pendingOnly || o.Run.State == "pending")).Select(o => o.Run with { JobSlug = jobSlug });
            return Task.FromResult<IReadOnlyList<OneOffRun>>((pendingOnly ? runs.OrderBy(r => r.RunAt) : runs.OrderByDescending(r => r.RunAt)).Take(limit).ToList());
        }
    }

    public Task<OneOffCancel> CancelOneOffAsync(Guid jobId, Guid oneOffId, string by, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (_lock)
        {
            if (!_oneOffs.TryGetValue(oneOffId, out var entry) || entry.JobId != jobId)
            {
                return Task.FromResult(OneOffCancel.NotFound);
            }
            if (entry.Run.CancelledAt is not null || entry.Run.ExecutionId is not null)
            {
                return Task.FromResult(entry.Run.CancelledAt is not null ? OneOffCancel.AlreadyCancelled : OneOffCancel.AlreadyTaken);
            }
            _oneOffs[oneOffId] = entry with { Run = entry.Run with { CancelledAt = at, CancelledBy = by } };
            _audit.Add(audit with { At = at, Actor = by });
            return Task.FromResult(OneOffCancel.Cancelled);
        }
    }

    public Task<bool> TakeOneOffAsync(Guid oneOffId, ExecutionClaim claim, ExecutionStatus? endsAs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        lock (_lock)
        {
            if (IsFenced(claim.LeaseOwner))
            {
                throw PostgresJobStore.DeclaredDead(claim.LeaseOwner);
            }
            if (!_oneOffs.TryGetValue(oneOffId, out var entry) || entry.JobId != claim.CronJobId || entry.Run.CancelledAt is not null)
            {
                return Task.FromResult(false);
            }
            if (entry.Run.ExecutionId is { } taken)
            {
                // Taken already: by this claim (asked again after a lost answer), or by another.
                return Task.FromResult(taken == claim.ExecutionId);
            }
            if (!_claims.Add((claim.CronJobId, claim.OccurrenceKey, 0)))
            {
                return Task.FromResult(false);
            }
            var now = timeProvider.GetUtcNow();
            _executions[claim.ExecutionId] = new ExecutionRecord
            {
                Id = claim.ExecutionId, CronJobId = claim.CronJobId, OccurrenceKey = claim.OccurrenceKey, ScheduledFor = claim.ScheduledFor,
                Status = endsAs ?? ExecutionStatus.Claimed, CompletedAt = endsAs is null ? null : now, TriggeredBy = TriggerSource.OneOff,
                TriggeredByUserId = claim.TriggeredByUserId, RetryCount = 0, StatusReason = claim.StatusReason, LeaseOwner = claim.LeaseOwner,
                LeaseExpiresAt = endsAs is null ? now + claim.LeaseDuration : null,
            };
            _oneOffs[oneOffId] = entry with { Run = entry.Run with { ExecutionId = claim.ExecutionId } };
            if (endsAs is not null)
            {
                CountStats(_executions[claim.ExecutionId]);
            }
            return Task.FromResult(true);
        }
    }
}
