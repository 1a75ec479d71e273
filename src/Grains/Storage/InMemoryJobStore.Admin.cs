using System.Text.Json.Nodes;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The admin store of the development mode, over the same jobs and executions, under the same lock.</summary>
public sealed partial class InMemoryJobStore : IAdminStore
{
    private readonly List<AuditEntry> _audit = [];
    private readonly Dictionary<string, (DateTimeOffset At, string? By)> _configMeta = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, (ApiKeyInfo Info, string Hash)> _apiKeys = [];
    private readonly Dictionary<(Guid Job, string User, string Key), (Guid ExecutionId, DateTimeOffset At)> _triggerRequests = [];

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyDictionary<Guid, JobStatisticsRecord>> GetStatisticsAsync(Guid? jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var since = now.AddHours(-24);
            var result = new Dictionary<Guid, JobStatisticsRecord>();
            foreach (var job in _jobs.Values.Where(j => jobId is null || j.Id == jobId))
            {
                var rows = _executions.Values.Where(e => e.CronJobId == job.Id)
                    .OrderByDescending(e => e.ScheduledFor).ThenByDescending(e => e.RetryCount).ToList();
                var last = rows.FirstOrDefault(e => e.StartedAt is not null && e.Status != ExecutionStatus.Claimed);
                result[job.Id] = new JobStatisticsRecord(
                    Statistics(rows, since),
                    last is null ? null : Summary(last, job.Slug),
                    rows.Where(e => e.Status == ExecutionStatus.Running).OrderBy(e => e.ScheduledFor).Select(e => e.Id).ToList());
            }
            return Task.FromResult<IReadOnlyDictionary<Guid, JobStatisticsRecord>>(result);
        }
    }

    /// <param name="rows">The job's rows, newest scheduled first.</param>
    /// <param name="since">Start of the 24-hour window.</param>
    private static JobStatistics Statistics(List<ExecutionRecord> rows, DateTimeOffset since)
    {
        var sample = rows.Where(e => e.Status is ExecutionStatus.Succeeded or ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned)
            .Take(IAdminStore.StatisticsSampleSize).ToList();
        var durations = sample.Where(e => e.DurationMs is not null).Select(e => (double)e.DurationMs!.Value).Order().ToList();
        var memory = sample.Where(e => e.MemoryUsageMb is not null).Select(e => e.MemoryUsageMb!.Value).ToList();
        var cpu = sample.Where(e => e.CpuUsagePercent is not null).Select(e => e.CpuUsagePercent!.Value).ToList();
        var day = rows.Where(e => e.ScheduledFor >= since).ToList();
        return new JobStatistics
        {
            SampleSize = sample.Count,
            SuccessRate = sample.Count == 0 ? null : (double)sample.Count(e => e.Status == ExecutionStatus.Succeeded) / sample.Count,
            AverageDurationMs = durations.Count == 0 ? null : durations.Average(),
            P50DurationMs = Percentile(durations, 0.5), P95DurationMs = Percentile(durations, 0.95), P99DurationMs = Percentile(durations, 0.99),
            MaxDurationMs = durations.Count == 0 ? null : (long)durations[^1],
            AverageMemoryMb = memory.Count == 0 ? null : memory.Average(),
            AverageCpuPercent = cpu.Count == 0 ? null : cpu.Average(),
            RetryAttempts = sample.Count(e => e.RetryCount > 0),
            RunsLast24Hours = day.Count(e => e.StartedAt is not null),
            FailuresLast24Hours = day.Count(e => e.Status is ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned),
            NotRunLast24Hours = day.Count(e => e.Status is ExecutionStatus.Skipped or ExecutionStatus.Missed),
            Recent = [.. sample.Take(JobStatistics.TrendSize).Reverse().Select(e => new RecentRun(e.Status, e.DurationMs))],
        };
    }

    /// <summary>PostgreSQL's <c>percentile_cont</c>: linear interpolation between the closest ranks of the sorted values.</summary>
    internal static double? Percentile(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = (int)Math.Ceiling(rank);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
    }

    private static ExecutionSummary Summary(ExecutionRecord e, string slug) => new()
    {
        Id = e.Id, JobSlug = slug, OccurrenceKey = e.OccurrenceKey, ScheduledFor = e.ScheduledFor, StartedAt = e.StartedAt,
        CompletedAt = e.CompletedAt, DurationMs = e.DurationMs, Status = e.Status, StatusReason = e.StatusReason, ExitCode = e.ExitCode,
        TriggeredBy = e.TriggeredBy, TriggeredByUserId = e.TriggeredByUserId, RetryCount = e.RetryCount, MemoryUsageMb = e.MemoryUsageMb,
        CpuUsagePercent = e.CpuUsagePercent, ItemsProcessed = e.ItemsProcessed, UpstreamExecutionIds = e.UpstreamExecutionIds,
    };

    public Task<ExecutionPage> GetExecutionPageAsync(Guid jobId, string jobSlug, ExecutionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var items = _executions.Values
                .Where(e => e.CronJobId == jobId
                    && (query.Statuses is null || query.Statuses.Contains(e.Status))
                    && (query.TriggerSources is null || query.TriggerSources.Contains(e.TriggeredBy))
                    && (query.From is null || e.ScheduledFor >= query.From)
                    && (query.To is null || e.ScheduledFor < query.To))
                .OrderByDescending(e => e.ScheduledFor).ThenByDescending(e => e.RetryCount)
                .Skip(query.Offset).Take(query.Limit + 1).Select(e => Summary(e, jobSlug)).ToList();
            return Task.FromResult(AdminPages.Executions(items, query));
        }
    }

    public Task<Activity> GetActivityAsync(DateTimeOffset? endedSince, int limit, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            var slugs = _jobs.Values.ToDictionary(j => j.Id, j => j.Slug);
            var active = _executions.Values
                .Where(e => e.Status == ExecutionStatus.Running || e.Status == ExecutionStatus.Claimed && e.ScheduledFor <= now)
                .OrderBy(e => e.ScheduledFor).Take(500).Select(e => Summary(e, slugs[e.CronJobId])).ToList();
            var ended = _executions.Values
                .Where(e => e.CompletedAt is { } at && (endedSince is null || at > endedSince))
                .OrderByDescending(e => e.CompletedAt).Take(limit).Select(e => Summary(e, slugs[e.CronJobId])).ToList();
            return Task.FromResult(new Activity { Now = now, Active = active, Ended = ended });
        }
    }

    public Task<ExecutionDetails?> GetExecutionDetailsAsync(Guid executionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_executions.TryGetValue(executionId, out var e) || JobById(e.CronJobId) is not { } job)
            {
                return Task.FromResult<ExecutionDetails?>(null);
            }
            return Task.FromResult<ExecutionDetails?>(new ExecutionDetails
            {
                Summary = Summary(e, job.Slug), JobName = job.Name, Output = e.Output, ErrorMessage = e.ErrorMessage, StackTrace = e.StackTrace,
                MetricsJson = e.Metrics is { Count: > 0 } m ? AuditJson.Of(m.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))) : null,
                UpstreamRuns = UpstreamRuns(e), DownstreamRuns = DownstreamRunsOf(e),
            });
        }
    }

    public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            _audit.Add(entry);
        }
        return Task.CompletedTask;
    }

    public Task<AuditPage> GetAuditPageAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var items = _audit
                .Where(a => (query.JobSlug is null || a.JobSlug == query.JobSlug) && (query.Actor is null || a.Actor == query.Actor)
                    && (query.Action is null || a.Action == query.Action) && (query.From is null || a.At >= query.From) && (query.To is null || a.At < query.To))
                .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Skip(query.Offset).Take(query.Limit + 1).ToList();
            return Task.FromResult(AdminPages.Audit(items, query, _audit.Count));
        }
    }

    public Task<IReadOnlyDictionary<string, ConfigValue>> GetConfigAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyDictionary<string, ConfigValue>>(_config.ToDictionary(kv => kv.Key,
                kv => _configMeta.TryGetValue(kv.Key, out var meta) ? new ConfigValue(kv.Value, meta.At, meta.By) : new ConfigValue(kv.Value, DateTimeOffset.UnixEpoch, "migration"),
                StringComparer.Ordinal));
        }
    }

    public Task SetConfigAsync(IReadOnlyDictionary<string, string> values, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(audit);
        lock (_lock)
        {
            foreach (var (key, value) in values)
            {
                _config[key] = value;
                _configMeta[key] = (audit.At, audit.Actor);
            }
            _audit.Add(audit);
        }
        return Task.CompletedTask;
    }

    public Task CreateApiKeyAsync(ApiKeyInfo key, string keyHash, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(audit);
        lock (_lock)
        {
            if (_apiKeys.Values.Any(k => k.Info.Name == key.Name))
            {
                throw new InvalidAdminInputException($"An API key named '{key.Name}' already exists; choose another name.") { Field = "name" };
            }
            if (_apiKeys.Values.Any(k => k.Hash == keyHash))
            {
                throw new InvalidAdminInputException("This key is already stored; generate a new one.") { Field = "keyHash" };
            }
            _apiKeys[key.Id] = (key, keyHash);
            _audit.Add(audit);
        }
        return Task.CompletedTask;
    }

    public Task<bool> RevokeApiKeyAsync(Guid keyId, DateTimeOffset at, string revokedBy, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        lock (_lock)
        {
            if (!_apiKeys.TryGetValue(keyId, out var key) || key.Info.RevokedAt is not null)
            {
                return Task.FromResult(false);
            }
            _apiKeys[keyId] = (key.Info with { RevokedAt = at, RevokedBy = revokedBy }, key.Hash);
            _audit.Add(audit);
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ApiKeyInfo>>(_apiKeys.Values.Select(k => k.Info)
                .OrderByDescending(k => k.CreatedAt).ThenByDescending(k => k.Id).ToList());
        }
    }

    public Task<ApiKeyInfo?> FindActiveApiKeyAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_apiKeys.Values.FirstOrDefault(k => k.Hash == keyHash && k.Info.RevokedAt is null) is not { Info: not null } key)
            {
                return Task.FromResult<ApiKeyInfo?>(null);
            }
            if (ApiKeyUse.IsWorthRecording(key.Info.LastUsedAt, now))
            {
                _apiKeys[key.Info.Id] = (key.Info with { LastUsedAt = now }, key.Hash);
            }
            return Task.FromResult<ApiKeyInfo?>(key.Info);
        }
    }

    public Task<Guid?> FindTriggerRequestAsync(Guid jobId, string userId, string idempotencyKey, DateTimeOffset since, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<Guid?>(_triggerRequests.TryGetValue((jobId, userId, idempotencyKey), out var r) && r.At >= since && !GivenUp(r.ExecutionId)
                ? r.ExecutionId : null);
        }
    }

    public Task<TriggerRecorded> RecordTriggerAsync(ManualTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        // Claimed, not yet started, as in PostgreSQL: the run's start is recorded if it lasts.
        var claim = trigger.Claim with { StartedAt = null };
        RefuseUnstorable([claim], StorableData.ProblemOf);
        lock (_lock)
        {
            // As the one PostgreSQL statement: a fresh record of the key answers and nothing is written; else all three are.
            var key = (claim.CronJobId, claim.TriggeredByUserId ?? "", trigger.IdempotencyKey ?? "");
            if (trigger.IdempotencyKey is not null && _triggerRequests.TryGetValue(key, out var existing) && existing.At >= trigger.KeySince
                && !GivenUp(existing.ExecutionId))
            {
                var active = _executions.TryGetValue(existing.ExecutionId, out var row) && row.Status.IsActive();
                return Task.FromResult(new TriggerRecorded(existing.ExecutionId, Replayed: true, active));
            }
            if (!TryClaimAsync(claim, cancellationToken).GetAwaiter().GetResult())
            {
                throw new InvalidOperationException($"Manual occurrence {claim.OccurrenceKey} was already claimed; this cannot happen with a fresh id.");
            }
            if (trigger.IdempotencyKey is not null)
            {
                _triggerRequests[key] = (claim.ExecutionId, claim.ScheduledFor);
            }
            _audit.Add(trigger.Audit);
            return Task.FromResult(new TriggerRecorded(claim.ExecutionId, Replayed: false, Active: false));
        }
    }

    /// <summary>A run given up without ever starting: its key holds nothing (see PostgresAdminStore's SelectTriggerRequest).</summary>
    private bool GivenUp(Guid executionId) =>
        _executions.TryGetValue(executionId, out var row) && row.Status is ExecutionStatus.Skipped or ExecutionStatus.Missed;

    public Task<CleanupResult> CountCleanupAsync(CleanupCutoffs cutoffs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        lock (_lock)
        {
            return Task.FromResult(new CleanupResult
            {
                Deleted = _executions.Values.Count(e => !e.Status.IsActive() && e.CompletedAt < cutoffs.Executions),
                AuditDeleted = _audit.Count(a => a.At < cutoffs.Audit),
            });
        }
    }

    public Task<CleanupResult> CleanupAsync(CleanupCutoffs cutoffs, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(audit);
        lock (_lock)
        {
            var old = _executions.Values.Where(e => !e.Status.IsActive() && e.CompletedAt < cutoffs.Executions).ToList();
            foreach (var row in old)
            {
                _executions.Remove(row.Id);
                _claims.Remove((row.CronJobId, row.OccurrenceKey, row.RetryCount));
            }
            ForgetSignalsConsumedBy(old.Select(r => r.Id).ToHashSet());
            foreach (var stale in _triggerRequests.Where(r => r.Value.At < cutoffs.TriggerRequests).Select(r => r.Key).ToList())
            {
                _triggerRequests.Remove(stale);
            }
            var auditDeleted = _audit.RemoveAll(a => a.At < cutoffs.Audit);
            _audit.Add(audit with
            {
                Action = "executions.cleanup", JobSlug = null, Target = null, OldValuesJson = null,
                NewValuesJson = AuditJson.Of([
                    KeyValuePair.Create("deleted", (JsonNode?)old.Count), KeyValuePair.Create("olderThanDays", (JsonNode?)cutoffs.ExecutionRetentionDays),
                    KeyValuePair.Create("auditDeleted", (JsonNode?)auditDeleted), KeyValuePair.Create("auditRetentionDays", (JsonNode?)cutoffs.AuditRetentionDays)]),
            });
            return Task.FromResult(new CleanupResult { Deleted = old.Count, AuditDeleted = auditDeleted });
        }
    }
}
