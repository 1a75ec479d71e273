namespace Totallator.Grains.Storage;

/// <summary>
/// Silo check-ins and the fence of a dead silo, as 0008_silo_check_in.sql keeps them. This store has no membership table: the
/// caller of <see cref="FenceDeadSiloAsync"/> is the membership's word that the silo is dead. A fenced silo's claims, records
/// and take-overs are refused, as PostgreSQL refuses those of a silo declared dead (0007).
/// </summary>
public sealed partial class InMemoryJobStore
{
    private readonly Dictionary<string, (DateTimeOffset? LastSeen, bool Fenced)> _checkIns = new(StringComparer.Ordinal);

    public Task<DateTimeOffset?> CheckInAsync(string owner, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_checkIns.TryGetValue(owner, out var known) && known.Fenced)
            {
                return Task.FromResult<DateTimeOffset?>(null);
            }
            var now = timeProvider.GetUtcNow();
            _checkIns[owner] = (now, false);
            return Task.FromResult<DateTimeOffset?>(now);
        }
    }

    public Task<DeadSiloFence?> FenceDeadSiloAsync(string owner, TimeSpan startWindow, string reason, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var lastSeen = _checkIns.TryGetValue(owner, out var known) ? known.LastSeen : null;
            _checkIns[owner] = (lastSeen, true);
            var handed = _executions.Values.Where(e => e.LeaseOwner == owner && e.Status == Interfaces.Jobs.ExecutionStatus.Claimed
                    && e.StartedAt is null && e.OccurrenceKey.StartsWith("s:", StringComparison.Ordinal) && e.RetryCount == 0 && (lastSeen is not { } seen || e.ScheduledFor > seen + startWindow))
                .ToList();
            foreach (var row in handed)
            {
                _executions[row.Id] = row with { LeaseOwner = null, StatusReason = reason };
            }
            var jobIds = handed.Select(e => e.CronJobId).ToHashSet();
            var slugs = _jobs.Values.Where(j => jobIds.Contains(j.Id)).Select(j => j.Slug).ToList();
            return Task.FromResult<DeadSiloFence?>(new DeadSiloFence(lastSeen, handed.Count, slugs));
        }
    }

    /// <summary>A fenced silo claims and records nothing: to it, the store is unavailable (caller holds the lock).</summary>
    private void RefuseFenced(string? owner)
    {
        if (IsFenced(owner))
        {
            throw PostgresJobStore.DeclaredDead(owner);
        }
    }

    /// <summary>A silo fenced as dead (caller holds the lock).</summary>
    private bool IsFenced(string? owner) => owner is not null && _checkIns.TryGetValue(owner, out var known) && known.Fenced;
}
