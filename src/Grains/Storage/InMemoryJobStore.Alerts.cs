using Totallator.Grains.Alerts;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The alert store of the development mode: as <see cref="PostgresAlertStore"/>, in memory.</summary>
public sealed partial class InMemoryJobStore : IAlertStore
{
    private readonly Dictionary<string, AlertRule> _rules = new(StringComparer.Ordinal);
    private readonly List<(AlertEventRecord Event, DateTimeOffset? ProcessedAt)> _alertEvents = [];
    private readonly Dictionary<(Guid, Guid, string), AlertState> _alertStates = [];
    private readonly List<StoredDelivery> _deliveries = [];
    private long _nextEventId;

    private sealed record StoredDelivery(PlannedDelivery Planned)
    {
        public string Status { get; set; } = "pending";
        public int Attempts { get; set; }
        public DateTimeOffset NextAttemptAt { get; set; } = Planned.CreatedAt;
        public string? LockedBy { get; set; }
        public DateTimeOffset? LockedUntil { get; set; }
        public int? LastResponseCode { get; set; }
        public string? LastError { get; set; }
        public DateTimeOffset? SentAt { get; set; }
    }

    private static readonly ExecutionStatus[] StreakFailures = [ExecutionStatus.Failed, ExecutionStatus.TimedOut, ExecutionStatus.Abandoned];

    /// <summary>As <c>CountEnded</c> in PostgreSQL (caller holds the lock): the failure streak and the outbox, once per end.</summary>
    private void CountEnded(ExecutionRecord ended)
    {
        if (JobById(ended.CronJobId) is not { } job || !(StreakFailures.Contains(ended.Status) || ended.Status == ExecutionStatus.Succeeded && job.FailureStreak > 0))
        {
            return;
        }
        var kind = ended.Status == ExecutionStatus.Succeeded ? AlertEvent.Recovered : AlertText.TryParseEvent(ended.Status.ToText(), out var k) ? k : AlertEvent.Failed;
        if (_alertEvents.Any(e => e.Event.ExecutionId == ended.Id && e.Event.Kind == kind))
        {
            return;
        }
        _jobs[job.Slug] = job with { FailureStreak = ended.Status == ExecutionStatus.Succeeded ? 0 : job.FailureStreak + 1 };
        AddAlertEvent(job.Id, ended.Id, kind, ended.CompletedAt ?? timeProvider.GetUtcNow());
    }

    private void NoteMissed(ExecutionRecord row)
    {
        if (row.Status == ExecutionStatus.Missed && !_alertEvents.Any(e => e.Event.ExecutionId == row.Id))
        {
            AddAlertEvent(row.CronJobId, row.Id, AlertEvent.Missed, row.CompletedAt ?? timeProvider.GetUtcNow());
        }
    }

    private void AddAlertEvent(Guid jobId, Guid? executionId, AlertEvent kind, DateTimeOffset at, Guid? ruleId = null, string? detail = null)
    {
        if (_rules.Values.Any(r => r.IsEnabled))
        {
            _alertEvents.Add((new AlertEventRecord
            {
                Id = ++_nextEventId, JobId = jobId, ExecutionId = executionId, Kind = kind, RuleId = ruleId, Detail = detail, OccurredAt = at,
            }, null));
        }
    }

    public Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<AlertRule>>(_rules.Values.OrderBy(r => r.Name, StringComparer.Ordinal).ToList());
        }
    }

    public Task<AlertRule> SaveRuleAsync(AlertRule rule, int? expectedVersion, AdminActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(actor);
        lock (_lock)
        {
            _rules.TryGetValue(rule.Name, out var stored);
            AlertRule saved;
            if (expectedVersion is null)
            {
                if (stored is not null)
                {
                    throw AlertRuleRefusals.NameTaken(rule.Name);
                }
                saved = rule with { Source = AlertRuleSources.Api, Version = 0, CreatedAt = rule.UpdatedAt, UpdatedBy = actor.Name };
            }
            else
            {
                if (stored is null)
                {
                    throw AlertRuleRefusals.NotFound(rule.Name);
                }
                if (stored.Source == AlertRuleSources.Configuration)
                {
                    throw AlertRuleRefusals.Configured(rule.Name);
                }
                if (stored.Version != expectedVersion)
                {
                    throw AlertRuleRefusals.StaleVersion(rule.Name, stored.Version, expectedVersion);
                }
                saved = rule with
                {
                    Id = stored.Id, Url = string.IsNullOrEmpty(rule.Url) ? stored.Url : rule.Url,
                    Secret = rule.Secret is null ? stored.Secret : rule.Secret.Length == 0 ? null : rule.Secret,
                    Source = stored.Source, Version = stored.Version + 1, CreatedAt = stored.CreatedAt, UpdatedBy = actor.Name,
                };
            }
            _rules[rule.Name] = saved;
            _audit.Add(PostgresAlertStore.Audit(expectedVersion is null ? "alert.create" : "alert.update", saved, actor, rule.UpdatedAt));
            return Task.FromResult(saved);
        }
    }

    public Task<bool> DeleteRuleAsync(string name, AdminActor actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        lock (_lock)
        {
            if (!_rules.TryGetValue(name, out var rule) || rule.Source != AlertRuleSources.Api)
            {
                return Task.FromResult(false);
            }
            _rules.Remove(name);
            _deliveries.RemoveAll(d => d.Planned.RuleId == rule.Id);
            foreach (var key in _alertStates.Keys.Where(k => k.Item1 == rule.Id).ToList())
            {
                _alertStates.Remove(key);
            }
            _audit.Add(new AuditEntry { Id = Guid.CreateVersion7(), At = now, Actor = actor.Name, Action = "alert.delete", Target = name, RequestId = actor.RequestId });
            return Task.FromResult(true);
        }
    }

    public Task SyncConfiguredRulesAsync(IReadOnlyList<AlertRule> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        lock (_lock)
        {
            if (rules.FirstOrDefault(r => _rules.TryGetValue(r.Name, out var s) && s.Source == AlertRuleSources.Api) is { } taken)
            {
                throw AlertRuleRefusals.ConfigurationClash(taken.Name);
            }
            foreach (var gone in _rules.Values.Where(r => r.Source == AlertRuleSources.Configuration && rules.All(n => n.Name != r.Name)).ToList())
            {
                _rules.Remove(gone.Name);
            }
            foreach (var rule in rules)
            {
                _rules[rule.Name] = _rules.TryGetValue(rule.Name, out var stored)
                    ? rule with { Id = stored.Id, Source = AlertRuleSources.Configuration, Version = stored.Version + 1, CreatedAt = stored.CreatedAt, UpdatedAt = now, UpdatedBy = AlertRuleSources.Configuration }
                    : rule with { Source = AlertRuleSources.Configuration, CreatedAt = now, UpdatedAt = now, UpdatedBy = AlertRuleSources.Configuration };
            }
            return Task.CompletedTask;
        }
    }

    public Task<int> PlanPendingAsync(Func<AlertBatch, AlertPlan> plan, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        lock (_lock)
        {
            var pending = _alertEvents.Where(e => e.ProcessedAt is null).Select(e => e.Event).OrderBy(e => e.Id).Take(max).ToList();
            if (pending.Count == 0)
            {
                return Task.FromResult(0);
            }
            var jobIds = pending.Select(e => e.JobId).ToHashSet();
            var now = timeProvider.GetUtcNow();
            var planned = plan(new AlertBatch
            {
                Events = pending, Rules = [.. _rules.Values], States = [.. _alertStates.Values.Where(s => jobIds.Contains(s.JobId))],
                Jobs = _jobs.Values.Where(j => jobIds.Contains(j.Id)).ToDictionary(j => j.Id, j => new AlertJob(j.Id, j.Slug, j.Name, j.IsEnabled, j.DeletedAt is not null, j.UpdatedAt)),
                Executions = pending.Where(e => e.ExecutionId is { } id && _executions.ContainsKey(id)).Select(e => _executions[e.ExecutionId!.Value])
                    .DistinctBy(x => x.Id).ToDictionary(x => x.Id, x => new AlertExecution
                    {
                        Id = x.Id, Status = x.Status.ToText(), ScheduledFor = x.ScheduledFor, StartedAt = x.StartedAt, CompletedAt = x.CompletedAt,
                        DurationMs = x.DurationMs, ExitCode = x.ExitCode, RetryCount = x.RetryCount, ErrorMessage = x.ErrorMessage, StatusReason = x.StatusReason,
                    }),
                SchedulingPaused = _config.TryGetValue("schedulingPaused", out var paused) && paused == "true",
                Now = now,
            });
            foreach (var state in planned.Upserts)
            {
                _alertStates[(state.RuleId, state.JobId, state.Kind)] = state;
            }
            foreach (var key in planned.Closed)
            {
                _alertStates.Remove(key);
            }
            foreach (var delivery in planned.Deliveries.Where(d => !_deliveries.Any(x => x.Planned.EventId == d.EventId && x.Planned.RuleId == d.RuleId)))
            {
                _deliveries.Add(new StoredDelivery(delivery));
            }
            var ids = pending.Select(e => e.Id).ToHashSet();
            for (var i = 0; i < _alertEvents.Count; i++)
            {
                if (ids.Contains(_alertEvents[i].Event.Id))
                {
                    _alertEvents[i] = (_alertEvents[i].Event, now);
                }
            }
            return Task.FromResult(pending.Count);
        }
    }

    public Task<int> CheckFreshnessAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_config.TryGetValue("schedulingPaused", out var paused) && paused == "true")
            {
                return Task.FromResult(0);
            }
            var now = timeProvider.GetUtcNow();
            var written = 0;
            foreach (var rule in _rules.Values.Where(r => r.IsEnabled && r.Events.Contains(AlertEvent.Stale) && r.ExpectSuccessWithin is not null))
            {
                var window = rule.ExpectSuccessWithin!.Value;
                foreach (var job in _jobs.Values.Where(j => j.IsEnabled && !j.IsOrphaned && j.DeletedAt is null && rule.Covers(j.Slug)))
                {
                    if (_alertEvents.Any(e => e.ProcessedAt is null && e.Event.RuleId == rule.Id && e.Event.JobId == job.Id))
                    {
                        continue;
                    }
                    _alertStates.TryGetValue((rule.Id, job.Id, AlertStateKinds.Stale), out var open);
                    var lastOk = _executions.Values.Where(x => x.CronJobId == job.Id && x.Status == ExecutionStatus.Succeeded).Max(x => x.CompletedAt);
                    var since = new[] { rule.UpdatedAt, job.CreatedAt, job.UpdatedAt }.Max();
                    var detail = lastOk is { } ok ? $"last success {ok.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z" : "no success on record in the window";
                    if (open is null && since < now - window && (lastOk is null || lastOk < now - window)
                        || open is not null && (lastOk is null || lastOk <= open.OpenedAt) && open.LastSentAt < now - rule.RepeatEvery)
                    {
                        AddAlertEvent(job.Id, null, AlertEvent.Stale, now, rule.Id, detail);
                        written++;
                    }
                    else if (open is not null && lastOk > open.OpenedAt)
                    {
                        AddAlertEvent(job.Id, null, AlertEvent.Recovered, now, rule.Id, detail);
                        written++;
                    }
                }
            }
            return Task.FromResult(written);
        }
    }

    public Task<IReadOnlyList<DueDelivery>> TakeDueDeliveriesAsync(string silo, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var now = timeProvider.GetUtcNow();
            var rules = _rules.Values.Where(r => r.IsEnabled).ToDictionary(r => r.Id);
            var due = _deliveries.Where(d => d.Status == "pending" && d.NextAttemptAt <= now && (d.LockedUntil is null || d.LockedUntil < now)
                                             && rules.ContainsKey(d.Planned.RuleId))
                .OrderBy(d => d.NextAttemptAt).Take(max).ToList();
            foreach (var d in due)
            {
                d.LockedBy = silo;
                d.LockedUntil = now + lease;
            }
            return Task.FromResult<IReadOnlyList<DueDelivery>>(due.Select(d => new DueDelivery
            {
                Id = d.Planned.Id, Attempts = d.Attempts, CreatedAt = d.Planned.CreatedAt, PayloadJson = d.Planned.Message.ToJson(),
                Channel = rules[d.Planned.RuleId].Channel, Url = rules[d.Planned.RuleId].Url, Secret = rules[d.Planned.RuleId].Secret,
                Rule = rules[d.Planned.RuleId].Name,
            }).ToList());
        }
    }

    public Task<bool> RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        lock (_lock)
        {
            if (_deliveries.FirstOrDefault(d => d.Planned.Id == attempt.Id && d.LockedBy == attempt.SentBy && d.Status == "pending") is not { } d)
            {
                return Task.FromResult(false);
            }
            d.Attempts++;
            d.LastResponseCode = attempt.ResponseCode;
            d.LastError = TextSanitizer.Bound(TextSanitizer.Replace(attempt.Error), 2000);
            d.Status = attempt.Delivered ? "sent" : attempt.NextAttemptAt is null ? "given_up" : "pending";
            d.SentAt = attempt.Delivered ? attempt.At : null;
            d.NextAttemptAt = attempt.NextAttemptAt ?? d.NextAttemptAt;
            d.LockedBy = null;
            d.LockedUntil = null;
            return Task.FromResult(true);
        }
    }

    public Task AddDeliveryAsync(PlannedDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        lock (_lock)
        {
            _deliveries.Add(new StoredDelivery(delivery));
            return Task.CompletedTask;
        }
    }

    public Task<IReadOnlyList<AlertDeliveryView>> ListDeliveriesAsync(AlertDeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_lock)
        {
            var rules = _rules.Values.ToDictionary(r => r.Id, r => r.Name);
            return Task.FromResult<IReadOnlyList<AlertDeliveryView>>(_deliveries
                .Where(d => rules.ContainsKey(d.Planned.RuleId))
                .OrderByDescending(d => d.Planned.CreatedAt).ThenByDescending(d => d.Planned.EventId ?? long.MaxValue)
                .Select(d => new AlertDeliveryView
                {
                    Id = d.Planned.Id, Rule = rules[d.Planned.RuleId], JobSlug = d.Planned.JobId is { } j ? JobById(j)?.Slug : null, Kind = d.Planned.Kind,
                    Event = d.Planned.Message.Event, Status = d.Status, Attempts = d.Attempts, LastResponseCode = d.LastResponseCode, LastError = d.LastError,
                    CreatedAt = d.Planned.CreatedAt, SentAt = d.SentAt, NextAttemptAt = d.Status == "pending" ? d.NextAttemptAt : null, Summary = d.Planned.Message.Summary,
                })
                .Where(v => (query.Rule is null || v.Rule == query.Rule) && (query.JobSlug is null || v.JobSlug == query.JobSlug) && (query.Status is null || v.Status == query.Status))
                .Take(query.Limit).ToList());
        }
    }

    public Task<int> DeleteOldAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var removed = _deliveries.RemoveAll(d => d.Status != "pending" && d.Planned.CreatedAt < before);
            removed += _alertEvents.RemoveAll(e => e.ProcessedAt < before
                && !_deliveries.Any(d => d.Planned.EventId == e.Event.Id && d.Status == "pending"));
            return Task.FromResult(removed);
        }
    }
}
