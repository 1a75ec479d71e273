using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>
/// The job store of the single-node development mode: everything in process memory, lost at exit. One lock guards it all,
/// which is plenty for one silo. Leases are judged by the injected clock, standing in for the database clock.
/// </summary>
public sealed partial class InMemoryJobStore(TimeProvider timeProvider) : IJobStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, ExecutionRecord> _executions = [];
    private readonly Dictionary<Guid, string> _hosts = [];
    private readonly HashSet<(Guid Job, string Key, int Retry)> _claims = [];
    private readonly Dictionary<string, string> _config = new(StringComparer.Ordinal)
    {
        ["historyRetentionDays"] = "30",
        ["schedulingPaused"] = "false",
        ["defaultTimeZone"] = "UTC",
        ["defaultTimeoutMs"] = "60000",
        ["defaultMaxRetries"] = "0",
        ["defaultMisfirePolicy"] = "run_once",
    };

    public Task SyncDefinitionsAsync(IReadOnlyList<CronJobDefinition> definitions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        lock (_lock)
        {
            DefinitionSync.CheckSlugsFree(definitions, _jobs);
            DefinitionSync.CheckDependencies(definitions, _jobs.Values);
            foreach (var d in definitions)
            {
                if (_jobs.TryGetValue(d.Slug, out var row))
                {
                    if (DefinitionSync.Merge(row, d, now) is { } merged)
                    {
                        _jobs[d.Slug] = merged with { Version = row.Version + 1, UpdatedAt = now, LastModifiedBy = "definition-sync" };
                    }
                    continue;
                }
                if (_jobs.Values.Any(j => j.Name == d.Name && j.DeletedAt is null))
                {
                    throw new InvalidOperationException($"A job definition's name '{d.Name}' is already used by another job. Job names must be unique.");
                }
                _jobs[d.Slug] = new JobRecord
                {
                    Id = Guid.CreateVersion7(), Slug = d.Slug, Name = d.Name, Description = d.Description, Schedule = d.Schedule,
                    TimeZone = d.TimeZone ?? Default("defaultTimeZone", "UTC"), IsEnabled = d.Enabled,
                    TimeoutMs = d.TimeoutMs ?? DefaultInt("defaultTimeoutMs", 60_000), MaxRetries = d.MaxRetries ?? DefaultInt("defaultMaxRetries", 0),
                    MisfirePolicy = d.MisfirePolicy ?? (MisfirePolicyText.TryParse(Default("defaultMisfirePolicy", "run_once"), out var p) ? p : MisfirePolicy.RunOnce), MisfireRunAllCap = d.MisfireRunAllCap, Source = d.Source, IsOrphaned = false,
                    OverriddenFields = [], LastScheduledFor = now, Version = 0, CreatedAt = now, UpdatedAt = now,
                    CreatedBy = "definition-sync", LastModifiedBy = "definition-sync", After = d.After,
                };
            }
            var defined = definitions.Select(d => d.Slug).ToHashSet(StringComparer.Ordinal);
            foreach (var row in _jobs.Values.Where(j => !j.IsOrphaned && !j.IsFromApi && !defined.Contains(j.Slug)).ToList())
            {
                _jobs[row.Slug] = row with { IsOrphaned = true, Version = row.Version + 1, UpdatedAt = now, LastModifiedBy = "definition-sync" };
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The job with this id (caller holds the lock); the dictionary is keyed by slug.</summary>
    private JobRecord? JobById(Guid jobId) => _jobs.Values.FirstOrDefault(j => j.Id == jobId);

    /// <summary>A global default for new jobs (caller holds the lock).</summary>
    private string Default(string key, string fallback) => _config.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v : fallback;

    private int DefaultInt(string key, int fallback) =>
        int.TryParse(Default(key, ""), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : fallback;

    /// <summary>The in-memory "database" keeps the time of its <see cref="TimeProvider"/>.</summary>
    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) => Task.FromResult(timeProvider.GetUtcNow());

    public Task<JobRecord?> GetJobAsync(string slug, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_jobs.GetValueOrDefault(slug));
        }
    }

    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<JobRecord>>(_jobs.Values.OrderBy(j => j.Slug, StringComparer.Ordinal).ToList());
        }
    }

    public Task<JobRecord> UpdateJobAsync(string slug, JobUpdate update, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            if (!_jobs.TryGetValue(slug, out var row))
            {
                throw new CronJobNotFoundException($"No job with slug '{slug}'.");
            }
            if (update.ExpectedVersion is { } expected && expected != row.Version)
            {
                throw new JobVersionConflictException(
                    $"Job '{slug}' was changed by someone else (version {row.Version}, you had {expected}). Reload it and try again.")
                { CurrentVersion = row.Version };
            }
            if (update.After is { } after)
            {
                Dependencies.DependencyChecks.ThrowIfRefused(slug, after, Graph(), _jobs.ContainsKey);
            }
            if (update.Name is { } name && _jobs.Values.Any(j => j.Name == name && j.Slug != slug && j.DeletedAt is null))
            {
                throw JobTypes.NewJob.NameTaken(name);
            }
            var updated = row with
            {
                Schedule = update.Schedule ?? row.Schedule,
                TimeZone = update.TimeZone ?? row.TimeZone,
                TimeoutMs = update.TimeoutMs ?? row.TimeoutMs,
                MaxRetries = update.MaxRetries ?? row.MaxRetries,
                MisfirePolicy = update.MisfirePolicy ?? row.MisfirePolicy,
                IsEnabled = update.IsEnabled ?? row.IsEnabled,
                After = update.After is { } newAfter ? Dependencies.UpstreamList.Normalize(newAfter) : row.After,
                Name = update.Name ?? row.Name,
                Description = update.Description ?? row.Description,
                ParametersJson = update.ParametersJson ?? row.ParametersJson,
                PauseAfterFailures = update.PauseAfterFailures is { } threshold ? threshold == 0 ? null : threshold : row.PauseAfterFailures,
                // As in PostgreSQL: enabling closes the circuit breaker.
                PausedReason = update.IsEnabled == true ? null : update.PausedReason ?? row.PausedReason,
                FailureStreak = update.IsEnabled == true && !row.IsEnabled ? 0 : row.FailureStreak,
                OverriddenFields = row.OverriddenFields.Union(DefinitionSync.OverriddenBy(update, row.IsFromApi)).Order(StringComparer.Ordinal).ToList(),
                LastScheduledFor = update.ResetLastScheduledFor ?? row.LastScheduledFor,
                InvalidReason = update.Schedule is null && update.TimeZone is null ? row.InvalidReason : null,
                Version = row.Version + 1,
                UpdatedAt = now,
                LastModifiedBy = update.ChangedBy,
            };
            _jobs[slug] = updated;
            if (update.PausedReason is not null)
            {
                AddAlertEvent(updated.Id, null, Interfaces.Alerts.AlertEvent.Paused, now, detail: update.PausedReason);
            }
            var fields = DefinitionSync.ChangedFields(update).ToList();
            _audit.Add(new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = now, Actor = update.ChangedBy, Action = update.AuditAction, JobSlug = slug,
                OldValuesJson = AuditJson.JobFields(row, fields, update.AuditedParameters?.Old),
                NewValuesJson = WithPausedReason(AuditJson.JobFields(updated, fields, update.AuditedParameters?.New), update.PausedReason),
                RequestId = update.RequestId,
            });
            return Task.FromResult(updated);
        }
    }

    /// <summary>As PostgreSQL: the audit row of the circuit breaker's pause keeps its reason.</summary>
    private static string? WithPausedReason(string? json, string? reason)
    {
        if (reason is null || json is null)
        {
            return json;
        }
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["pausedReason"] = reason;
        return node.ToJsonString();
    }

    public Task SetInvalidReasonAsync(Guid jobId, string? reason, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (JobById(jobId) is { } row)
            {
                _jobs[row.Slug] = row with { InvalidReason = reason };
            }
        }
        return Task.CompletedTask;
    }

    public Task<bool> TryClaimAsync(ExecutionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        RefuseUnstorable([claim], StorableData.ProblemOf);
        lock (_lock)
        {
            RefuseFenced(claim.LeaseOwner);
            if (_executions.TryGetValue(claim.ExecutionId, out var own))
            {
                // Asked again by its claimant (the first reply was lost): its own while still active and still held by it (not
                // handed over), as in PostgreSQL.
                if (!own.Status.IsActive() || own.LeaseOwner != claim.LeaseOwner)
                {
                    return Task.FromResult(false);
                }
                var startedAt = own.StartedAt ?? claim.StartedAt;
                var lease = timeProvider.GetUtcNow() + claim.LeaseDuration;
                _executions[own.Id] = own with
                {
                    StartedAt = startedAt, Status = startedAt is null ? ExecutionStatus.Claimed : ExecutionStatus.Running,
                    LeaseExpiresAt = own.LeaseExpiresAt > lease ? own.LeaseExpiresAt : lease,
                };
                return Task.FromResult(true);
            }
            if (!IsCurrent(claim.CronJobId, claim.JobVersion))
            {
                return Task.FromResult(false);
            }
            if (!_claims.Add((claim.CronJobId, claim.OccurrenceKey, claim.RetryCount)))
            {
                // As in PostgreSQL: a claim given back (handed over) goes to whoever claims the occurrence next, under its id.
                if (_executions.Values.FirstOrDefault(e => e.CronJobId == claim.CronJobId && e.OccurrenceKey == claim.OccurrenceKey
                        && e.RetryCount == claim.RetryCount && e.Status == ExecutionStatus.Claimed && e.LeaseOwner is null) is not { } released)
                {
                    return Task.FromResult(false);
                }
                _executions.Remove(released.Id);
                _executions[claim.ExecutionId] = released with
                {
                    Id = claim.ExecutionId, LeaseOwner = claim.LeaseOwner, StartedAt = claim.StartedAt, TriggeredBy = claim.TriggeredBy,
                    StatusReason = claim.StatusReason, Status = claim.StartedAt is null ? ExecutionStatus.Claimed : ExecutionStatus.Running,
                    LeaseExpiresAt = timeProvider.GetUtcNow() + claim.LeaseDuration,
                };
                if (claim.AdvancesSchedule)
                {
                    Advance(claim.CronJobId, claim.ScheduledFor);
                }
                return Task.FromResult(true);
            }
            _executions[claim.ExecutionId] = new ExecutionRecord
            {
                Id = claim.ExecutionId, CronJobId = claim.CronJobId, OccurrenceKey = claim.OccurrenceKey, ScheduledFor = claim.ScheduledFor,
                StartedAt = claim.StartedAt, Status = claim.StartedAt is null ? ExecutionStatus.Claimed : ExecutionStatus.Running, TriggeredBy = claim.TriggeredBy,
                TriggeredByUserId = claim.TriggeredByUserId, RetryCount = claim.RetryCount, StatusReason = claim.StatusReason,
                LeaseOwner = claim.LeaseOwner, LeaseExpiresAt = timeProvider.GetUtcNow() + claim.LeaseDuration,
            };
            if (claim.AdvancesSchedule)
            {
                Advance(claim.CronJobId, claim.ScheduledFor);
            }
            return Task.FromResult(true);
        }
    }

    public Task<IReadOnlySet<Guid>> TryClaimManyAsync(IReadOnlyList<ExecutionClaim> claims, CancellationToken cancellationToken)
    {
        RefuseUnstorable(claims, StorableData.ProblemOf);
        return ApplyEachAsync(claims, c => c.ExecutionId, c => TryClaimAsync(c, cancellationToken));
    }

    /// <summary>As PostgreSQL: a row the database would refuse ends without its refused fields (see <see cref="RefusedRows"/>).</summary>
    public Task<IReadOnlySet<Guid>> CompleteManyAsync(IReadOnlyList<ExecutionCompletion> completions, CancellationToken cancellationToken) =>
        RefusedRows.CompleteAsync(completions, (batch, _) =>
        {
            RefuseUnstorable(batch, StorableData.ProblemOf);
            return ApplyEachAsync(batch, c => c.ExecutionId, CompleteOneAsync);
        }, cancellationToken);

    /// <summary>
    /// Fails the whole call, before anything is applied, when PostgreSQL would refuse one of the rows: a statement there fails
    /// as a whole, and this store must fail (and recover) the same way.
    /// </summary>
    private static void RefuseUnstorable<T>(IReadOnlyList<T> rows, Func<T, string?> problemOf)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Select(problemOf).FirstOrDefault(p => p is not null) is { } problem)
        {
            throw new StoreDataRefusedException(problem);
        }
    }

    /// <summary>The many-row form of a one-row operation: applies each item in turn, returns the ids of those it applied.</summary>
    private static async Task<IReadOnlySet<Guid>> ApplyEachAsync<T>(IReadOnlyList<T> items, Func<T, Guid> idOf, Func<T, Task<bool>> apply)
    {
        ArgumentNullException.ThrowIfNull(items);
        var applied = new HashSet<Guid>();
        foreach (var item in items)
        {
            if (await apply(item))
            {
                applied.Add(idOf(item));
            }
        }
        return applied;
    }

    public async Task<bool> RecordUnrunAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        var current = await RecordUnrunManyAsync(occurrences, cancellationToken);
        return occurrences.All(o => current.Contains(o.ExecutionId));
    }

    public Task<IReadOnlySet<Guid>> RecordUnrunManyAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        RefuseUnstorable(occurrences, StorableData.ProblemOf);
        lock (_lock)
        {
            foreach (var recorder in occurrences.Select(o => o.RecordedBy).Distinct())
            {
                RefuseFenced(recorder);
            }
            var current = new HashSet<Guid>();
            foreach (var o in occurrences)
            {
                if (!IsCurrent(o.CronJobId, o.JobVersion))
                {
                    continue;
                }
                current.Add(o.ExecutionId);
                if (!_claims.Add((o.CronJobId, o.OccurrenceKey, 0)))
                {
                    // As in PostgreSQL: the recorder's own claim whose reply was lost ends as recorded; anyone else's row stays.
                    if (_executions.TryGetValue(o.ExecutionId, out var own) && own.Status.IsActive() && own.OccurrenceKey == o.OccurrenceKey)
                    {
                        _executions[own.Id] = own with { Status = o.Status, CompletedAt = o.RecordedAt, StatusReason = o.Reason, StartedAt = null };
                        NoteMissed(_executions[own.Id]);
                        CountStats(_executions[own.Id]);
                        if (o.AdvancesSchedule)
                        {
                            Advance(o.CronJobId, o.ScheduledFor);
                        }
                    }
                    continue;
                }
                _executions[o.ExecutionId] = new ExecutionRecord
                {
                    Id = o.ExecutionId, CronJobId = o.CronJobId, OccurrenceKey = o.OccurrenceKey, ScheduledFor = o.ScheduledFor,
                    CompletedAt = o.RecordedAt, Status = o.Status, TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, StatusReason = o.Reason,
                };
                NoteMissed(_executions[o.ExecutionId]);
                CountStats(_executions[o.ExecutionId]);
                if (o.AdvancesSchedule)
                {
                    Advance(o.CronJobId, o.ScheduledFor);
                }
            }
            return Task.FromResult<IReadOnlySet<Guid>>(current);
        }
    }

    /// <summary>As PostgreSQL: a write planned on a job version that is no longer the job's is refused (null: not fenced).</summary>
    private bool IsCurrent(Guid jobId, int? version) =>
        version is null || JobById(jobId) is { } job && job.Version == version;

    private void Advance(Guid jobId, DateTimeOffset scheduledFor)
    {
        if (JobById(jobId) is { } row && (row.LastScheduledFor is null || row.LastScheduledFor < scheduledFor))
        {
            _jobs[row.Slug] = row with { LastScheduledFor = scheduledFor };
        }
    }

    public async Task<bool> CompleteAsync(ExecutionCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return (await CompleteManyAsync([completion], cancellationToken)).Contains(completion.ExecutionId);
    }

    private Task<bool> CompleteOneAsync(ExecutionCompletion completion)
    {
        lock (_lock)
        {
            // As in PostgreSQL: a row abandoned because its lease expired while the run went on takes the run's real end.
            // A row is found only at the instant its writer names, as PostgreSQL looks only in that partition (ScheduledSpan):
            // a writer that named another instant would lose the write there, so it does here too (the simulation would see it).
            if (!_executions.TryGetValue(completion.ExecutionId, out var row) || !ScheduledSpan.At(completion.ScheduledFor).Holds(row.ScheduledFor)
                || !row.Status.IsActive() && !(row.Status == ExecutionStatus.Abandoned && row.StatusReason == "lease-expired")
                || completion.HeldBy is { } holder && row.LeaseOwner != holder)
            {
                return Task.FromResult(false);
            }
            var reason = row.Status == ExecutionStatus.Abandoned
                ? $"lease-lost: recorded abandoned at {row.CompletedAt:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} while it still ran (its silo could not renew the lease); this is its real end"
                  + (completion.StatusReason is { } r ? "; " + r : "")
                : completion.StatusReason ?? row.StatusReason;
            _executions[row.Id] = row with
            {
                Status = completion.Status, CompletedAt = completion.CompletedAt, DurationMs = completion.DurationMs,
                ExitCode = completion.ExitCode, Output = completion.Output, ErrorMessage = completion.ErrorMessage,
                StackTrace = completion.StackTrace, MemoryUsageMb = completion.MemoryUsageMb, CpuUsagePercent = completion.CpuUsagePercent,
                ItemsProcessed = completion.ItemsProcessed, Metrics = completion.Metrics is { Count: > 0 } m ? m : null,
                StatusReason = reason,
                StartedAt = completion.Status is ExecutionStatus.Skipped or ExecutionStatus.Missed ? null : completion.StartedAt ?? row.StartedAt,
            };
            if (completion.Final)
            {
                SignalDownstream(_executions[row.Id]);
                // As in PostgreSQL: a row recorded abandoned counted as a failure then; its real end counts only as a success.
                if (row.Status != ExecutionStatus.Abandoned || completion.Status == ExecutionStatus.Succeeded)
                {
                    CountEnded(_executions[row.Id]);
                }
            }
            NoteMissed(_executions[row.Id]);
            // As in PostgreSQL: every end counts in the statistics, final or not, but a row the sweeper had recorded abandoned counted then.
            if (row.Status != ExecutionStatus.Abandoned)
            {
                CountStats(_executions[row.Id]);
            }
            return Task.FromResult(true);
        }
    }

    public Task RenewLeasesAsync(IReadOnlyCollection<Guid> executionIds, TimeSpan lease, CancellationToken cancellationToken, ScheduledSpan within = default)
    {
        ArgumentNullException.ThrowIfNull(executionIds);
        lock (_lock)
        {
            var until = timeProvider.GetUtcNow() + lease;
            foreach (var id in executionIds)
            {
                if (_executions.TryGetValue(id, out var row) && row.Status.IsActive() && within.Holds(row.ScheduledFor))
                {
                    _executions[id] = row with { LeaseExpiresAt = until };
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlySet<Guid>> SetHostsAsync(IReadOnlyList<JobHost> hosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        lock (_lock)
        {
            var found = new HashSet<Guid>();
            foreach (var host in hosts)
            {
                if (_jobs.Values.Any(j => j.Id == host.JobId))
                {
                    _hosts[host.JobId] = host.Silo;
                    found.Add(host.JobId);
                }
            }
            return Task.FromResult<IReadOnlySet<Guid>>(found);
        }
    }

    public Task<IReadOnlyList<string>> TakeJobsHostedByAsync(string silo, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var taken = _hosts.Where(h => h.Value == silo).Select(h => h.Key).ToList();
            foreach (var id in taken)
            {
                _hosts.Remove(id);
            }
            return Task.FromResult<IReadOnlyList<string>>(_jobs.Values.Where(j => taken.Contains(j.Id)).Select(j => j.Slug).ToList());
        }
    }

    public Task<IReadOnlySet<Guid>> MarkStartedManyAsync(IReadOnlyList<ExecutionStart> starts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starts);
        var started = new HashSet<Guid>();
        lock (_lock)
        {
            foreach (var start in starts)
            {
                if (_executions.TryGetValue(start.ExecutionId, out var row) && row.Status == ExecutionStatus.Claimed
                    && ScheduledSpan.At(start.ScheduledFor).Holds(row.ScheduledFor))
                {
                    _executions[row.Id] = row with
                    {
                        Status = ExecutionStatus.Running, StartedAt = start.StartedAt, LeaseExpiresAt = timeProvider.GetUtcNow() + start.LeaseDuration,
                    };
                    started.Add(row.Id);
                }
            }
        }
        return Task.FromResult<IReadOnlySet<Guid>>(started);
    }

    public Task<ClaimRelease> ReleaseClaimAsync(Guid executionId, string owner, string reason, bool withdraw, CancellationToken cancellationToken,
        DateTimeOffset? scheduledFor = null)
    {
        lock (_lock)
        {
            if (!_executions.TryGetValue(executionId, out var row) || row.Status != ExecutionStatus.Claimed || row.LeaseOwner != owner
                || !ScheduledSpan.At(scheduledFor).Holds(row.ScheduledFor))
            {
                return Task.FromResult(ClaimRelease.NotClaimed);
            }
            if (withdraw)
            {
                _executions.Remove(executionId);
                _claims.Remove((row.CronJobId, row.OccurrenceKey, row.RetryCount));
                return Task.FromResult(ClaimRelease.Removed);
            }
            _executions[executionId] = row with { LeaseOwner = null, StatusReason = reason };
            return Task.FromResult(ClaimRelease.HandedOver);
        }
    }

    /// <summary>Writes none: the in-memory store does not hold Orleans' reminder table (the development silo keeps reminders in memory).</summary>
    public Task<int> WriteHeartbeatsAsync(string serviceId, IReadOnlyList<HeartbeatRow> rows, TimeSpan period, CancellationToken cancellationToken) =>
        Task.FromResult(0);

    /// <summary>Never tells the reminder's period (<see cref="JobLoad.ReminderPeriod"/> null): the grain asks Orleans.</summary>
    public Task<JobLoad> LoadJobAsync(string slug, string owner, TimeSpan lease, CancellationToken cancellationToken, HeartbeatKey? heartbeat = null)
    {
        lock (_lock)
        {
            if (!_jobs.TryGetValue(slug, out var job))
            {
                return Task.FromResult(new JobLoad(null, []));
            }
            job = job with { Downstreams = DownstreamsOf(job.Slug) };
            var until = timeProvider.GetUtcNow() + lease;
            var taken = new List<ExecutionRecord>();
            foreach (var row in _executions.Values.Where(e => e.CronJobId == job.Id && e.Status == ExecutionStatus.Claimed && e.LeaseOwner is null
                         && e.ScheduledFor <= job.LastScheduledFor && !IsFenced(owner)).ToList())
            {
                var mine = row with { LeaseOwner = owner, LeaseExpiresAt = row.LeaseExpiresAt > until ? row.LeaseExpiresAt : until, StatusReason = null };
                _executions[row.Id] = mine;
                taken.Add(mine);
            }
            var oneOffs = _oneOffs.Values.Where(o => o.JobId == job.Id && o.Run.State == "pending").Select(o => o.Run with { JobSlug = slug })
                .OrderBy(r => r.RunAt).Take(100).ToList();
            return Task.FromResult(new JobLoad(job, taken) { OneOffs = oneOffs });
        }
    }

    public Task<int> AbandonExpiredAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            var expired = _executions.Values.Where(e => e.Status.IsActive() && e.LeaseExpiresAt < now).ToList();
            foreach (var row in expired)
            {
                if (row.Status == ExecutionStatus.Claimed && row.LeaseOwner is null)
                {
                    // Handed over, and no activation took it: it never started.
                    _executions[row.Id] = row with
                    {
                        Status = ExecutionStatus.Missed, CompletedAt = now,
                        StatusReason = $"released, not taken over: {row.StatusReason ?? "its activation gave it back"}; no activation of the job took it over before {row.LeaseExpiresAt:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}",
                    };
                    NoteMissed(_executions[row.Id]);
                    CountStats(_executions[row.Id]);
                    continue;
                }
                _executions[row.Id] = row with
                {
                    Status = ExecutionStatus.Abandoned, CompletedAt = now,
                    DurationMs = row.StartedAt is { } s ? Math.Max(0, (long)(now - s).TotalMilliseconds) : null,
                    ErrorMessage = row.Status == ExecutionStatus.Claimed
                        ? $"Abandoned: silo {row.LeaseOwner} claimed this occurrence, then stopped renewing the lease before its start was recorded (it died or hung; a run under RunningRecordDelay may have begun); expired at {row.LeaseExpiresAt:O}"
                        : $"Abandoned: silo {row.LeaseOwner} stopped renewing the lease (it died or hung); expired at {row.LeaseExpiresAt:O}",
                    StatusReason = "lease-expired",
                };
                SignalDownstream(_executions[row.Id]);
                CountEnded(_executions[row.Id]);
                CountStats(_executions[row.Id]);
            }
            return Task.FromResult(expired.Count);
        }
    }

    public Task<IReadOnlyList<ExecutionRecord>> GetExecutionsAsync(Guid jobId, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<ExecutionRecord>>(_executions.Values.Where(e => e.CronJobId == jobId)
                .OrderByDescending(e => e.ScheduledFor).ThenByDescending(e => e.RetryCount).Take(limit).ToList());
        }
    }

    public Task<ExecutionRecord?> GetExecutionAsync(Guid executionId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_executions.GetValueOrDefault(executionId));
        }
    }

    private DateTimeOffset? _lastWakePass;
    private string? _lastWakePassBy;

    public Task<bool> TryBeginWakePassAsync(DateTimeOffset now, TimeSpan window, string silo, IReadOnlyCollection<string> activeSilos,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activeSilos);
        lock (_lock)
        {
            if (_lastWakePass is { } last && last >= now - window && activeSilos.Contains(_lastWakePassBy))
            {
                return Task.FromResult(false);
            }
            _lastWakePass = now;
            _lastWakePassBy = silo;
            return Task.FromResult(true);
        }
    }

    public Task<string?> GetConfigValueAsync(string key, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_config.GetValueOrDefault(key));
        }
    }
}
