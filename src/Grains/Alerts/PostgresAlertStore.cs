using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;
using Totallator.Grains.Interfaces.Jobs;
using static Totallator.Grains.Storage.NpgsqlCommands;

namespace Totallator.Grains.Alerts;

/// <summary>The PostgreSQL alert store (0013_alerts.sql).</summary>
public sealed partial class PostgresAlertStore(NpgsqlDataSource dataSource) : IAlertStore
{
    public async Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectRules);
        return await cmd.ReadAllAsync(ReadRule, cancellationToken);
    }

    public async Task<AlertRule> SaveRuleAsync(AlertRule rule, int? expectedVersion, AdminActor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(actor);
        await using var cmd = dataSource.CreateCommand(expectedVersion is null ? InsertRule : UpdateRule);
        AddRule(cmd, rule);
        cmd.Parameters.Add(Param("source", NpgsqlDbType.Text, AlertRuleSources.Api));
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, rule.UpdatedAt));
        cmd.Parameters.Add(Param("by", NpgsqlDbType.Text, actor.Name));
        cmd.Parameters.Add(Param("expectedVersion", NpgsqlDbType.Integer, expectedVersion));
        Storage.PostgresAdminStore.AddAudit(cmd, Audit(expectedVersion is null ? "alert.create" : "alert.update", rule, actor, rule.UpdatedAt));
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return ReadRule(reader);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "cronalertrule_name_key")
        {
            throw AlertRuleRefusals.NameTaken(rule.Name);
        }
        await using var check = dataSource.CreateCommand(SelectRuleState);
        check.Parameters.Add(Param("name", NpgsqlDbType.Text, rule.Name));
        await using var state = await check.ExecuteReaderAsync(cancellationToken);
        if (!await state.ReadAsync(cancellationToken))
        {
            throw AlertRuleRefusals.NotFound(rule.Name);
        }
        throw state.GetString(0) == AlertRuleSources.Configuration
            ? AlertRuleRefusals.Configured(rule.Name)
            : AlertRuleRefusals.StaleVersion(rule.Name, state.GetInt32(1), expectedVersion);
    }

    public async Task<bool> DeleteRuleAsync(string name, AdminActor actor, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var cmd = dataSource.CreateCommand(DeleteRule);
        cmd.Parameters.Add(Param("name", NpgsqlDbType.Text, name));
        Storage.PostgresAdminStore.AddAudit(cmd, new AuditEntry
        {
            Id = Guid.CreateVersion7(), At = now, Actor = actor.Name, Action = "alert.delete", Target = name, RequestId = actor.RequestId,
        });
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    public async Task SyncConfiguredRulesAsync(IReadOnlyList<AlertRule> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var stored = await ListRulesAsync(cancellationToken);
        if (stored.FirstOrDefault(s => s.Source == AlertRuleSources.Api && rules.Any(r => r.Name == s.Name)) is { } taken)
        {
            throw AlertRuleRefusals.ConfigurationClash(taken.Name);
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var gone = new NpgsqlCommand(DeleteConfiguredRulesGone, connection, transaction))
        {
            gone.Parameters.Add(Param("names", NpgsqlDbType.Array | NpgsqlDbType.Text, rules.Select(r => r.Name).ToArray()));
            await gone.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var rule in rules)
        {
            await using var upsert = new NpgsqlCommand(UpsertConfiguredRule, connection, transaction);
            AddRule(upsert, rule);
            upsert.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<int> PlanPendingAsync(Func<AlertBatch, AlertPlan> plan, int max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        // Idle, every silo asks every PollInterval: one read of the small partial index answers it, not a transaction of four.
        await using (var any = dataSource.CreateCommand(AnyPendingEvent))
        {
            if (!(bool)(await any.ExecuteScalarAsync(cancellationToken))!)
            {
                return 0;
            }
        }
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await TryLockAsync(connection, transaction, PlanLock, cancellationToken))
        {
            return 0;
        }
        List<AlertEventRecord> events;
        await using (var read = new NpgsqlCommand(SelectPendingEvents, connection, transaction))
        {
            read.Parameters.Add(Param("max", NpgsqlDbType.Integer, max));
            events = await read.ReadAllAsync(ReadEvent, cancellationToken);
        }
        if (events.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }
        AlertBatch batch;
        await using (var context = new NpgsqlCommand(SelectPlanContext, connection, transaction))
        {
            context.Parameters.Add(Param("jobIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid, events.Select(e => e.JobId).Distinct().ToArray()));
            context.Parameters.Add(Param("executionIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid,
                events.Where(e => e.ExecutionId is not null).Select(e => e.ExecutionId!.Value).Distinct().ToArray()));
            await using var reader = await context.ExecuteReaderAsync(cancellationToken);
            var rules = await reader.ReadRowsAsync(ReadRule, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var states = await reader.ReadRowsAsync(ReadState, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var jobs = await reader.ReadRowsAsync(r => new AlertJob(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4), r.GetFieldValue<DateTimeOffset>(5)), cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var executions = await reader.ReadRowsAsync(ReadExecution, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            batch = new AlertBatch
            {
                Events = events, Rules = rules, States = states, Jobs = jobs.ToDictionary(j => j.Id), Executions = executions.ToDictionary(x => x.Id),
                // The database's clock, as the freshness check judges reminders by: every silo plans by the same one.
                SchedulingPaused = reader.GetBoolean(0), Now = reader.GetFieldValue<DateTimeOffset>(1),
            };
        }
        var planned = plan(batch);
        await using (var write = new NpgsqlCommand(WritePlan, connection, transaction))
        {
            var u = planned.Upserts;
            write.Parameters.Add(Param("sRules", NpgsqlDbType.Array | NpgsqlDbType.Uuid, u.Select(s => s.RuleId).ToArray()));
            write.Parameters.Add(Param("sJobs", NpgsqlDbType.Array | NpgsqlDbType.Uuid, u.Select(s => s.JobId).ToArray()));
            write.Parameters.Add(Param("sKinds", NpgsqlDbType.Array | NpgsqlDbType.Text, u.Select(s => s.Kind).ToArray()));
            write.Parameters.Add(Param("sOpened", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, u.Select(s => s.OpenedAt).ToArray()));
            write.Parameters.Add(Param("sSent", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, u.Select(s => s.LastSentAt).ToArray()));
            write.Parameters.Add(Param("sSuppressed", NpgsqlDbType.Array | NpgsqlDbType.Integer, u.Select(s => s.Suppressed).ToArray()));
            write.Parameters.Add(Param("sTotal", NpgsqlDbType.Array | NpgsqlDbType.Integer, u.Select(s => s.Total).ToArray()));
            var c = planned.Closed;
            write.Parameters.Add(Param("cRules", NpgsqlDbType.Array | NpgsqlDbType.Uuid, c.Select(k => k.RuleId).ToArray()));
            write.Parameters.Add(Param("cJobs", NpgsqlDbType.Array | NpgsqlDbType.Uuid, c.Select(k => k.JobId).ToArray()));
            write.Parameters.Add(Param("cKinds", NpgsqlDbType.Array | NpgsqlDbType.Text, c.Select(k => k.Kind).ToArray()));
            var d = planned.Deliveries;
            write.Parameters.Add(Param("dIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid, d.Select(x => x.Id).ToArray()));
            write.Parameters.Add(Param("dEvents", NpgsqlDbType.Array | NpgsqlDbType.Bigint, d.Select(x => x.EventId).ToArray()));
            write.Parameters.Add(Param("dRules", NpgsqlDbType.Array | NpgsqlDbType.Uuid, d.Select(x => x.RuleId).ToArray()));
            write.Parameters.Add(Param("dJobs", NpgsqlDbType.Array | NpgsqlDbType.Uuid, d.Select(x => x.JobId).ToArray()));
            write.Parameters.Add(Param("dKinds", NpgsqlDbType.Array | NpgsqlDbType.Text, d.Select(x => x.Kind).ToArray()));
            write.Parameters.Add(Param("dPayloads", NpgsqlDbType.Array | NpgsqlDbType.Text, d.Select(x => x.Message.ToJson()).ToArray()));
            write.Parameters.Add(Param("dCreated", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, d.Select(x => x.CreatedAt).ToArray()));
            write.Parameters.Add(Param("eventIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint, events.Select(e => e.Id).ToArray()));
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return events.Count;
    }

    public async Task<int> CheckFreshnessAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await TryLockAsync(connection, transaction, FreshnessLock, cancellationToken))
        {
            return 0;
        }
        await using var cmd = new NpgsqlCommand(CheckFreshness, connection, transaction);
        var written = await cmd.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return written;
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long key, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(TryLock, connection, transaction);
        cmd.Parameters.Add(Param("key", NpgsqlDbType.Bigint, key));
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<DueDelivery>> TakeDueDeliveriesAsync(string silo, TimeSpan lease, int max, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(TakeDue);
        cmd.Parameters.Add(Param("silo", NpgsqlDbType.Text, silo));
        cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Double, lease.TotalMilliseconds));
        cmd.Parameters.Add(Param("max", NpgsqlDbType.Integer, max));
        return await cmd.ReadAllAsync(r => new DueDelivery
        {
            Id = r.GetGuid(0), Attempts = r.GetInt32(1), CreatedAt = r.GetFieldValue<DateTimeOffset>(2), PayloadJson = r.GetString(3),
            Channel = AlertText.TryParseChannel(r.GetString(4), out var channel) ? channel : AlertChannel.Webhook, Url = r.GetString(5),
            Secret = r.IsDBNull(6) ? null : r.GetString(6), Rule = r.GetString(7),
        }, cancellationToken);
    }

    public async Task<bool> RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        await using var cmd = dataSource.CreateCommand(RecordAttempt);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, attempt.Id));
        cmd.Parameters.Add(Param("silo", NpgsqlDbType.Text, attempt.SentBy));
        cmd.Parameters.Add(Param("at", NpgsqlDbType.TimestampTz, attempt.At));
        cmd.Parameters.Add(Param("delivered", NpgsqlDbType.Boolean, attempt.Delivered));
        cmd.Parameters.Add(Param("code", NpgsqlDbType.Integer, attempt.ResponseCode));
        cmd.Parameters.Add(Param("error", NpgsqlDbType.Text, Storage.TextSanitizer.Bound(Storage.TextSanitizer.Replace(attempt.Error), 2000)));
        cmd.Parameters.Add(Param("next", NpgsqlDbType.TimestampTz, attempt.NextAttemptAt));
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task AddDeliveryAsync(PlannedDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        await using var cmd = dataSource.CreateCommand(InsertDelivery);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, delivery.Id));
        cmd.Parameters.Add(Param("eventId", NpgsqlDbType.Bigint, delivery.EventId));
        cmd.Parameters.Add(Param("ruleId", NpgsqlDbType.Uuid, delivery.RuleId));
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, delivery.JobId));
        cmd.Parameters.Add(Param("kind", NpgsqlDbType.Text, delivery.Kind));
        cmd.Parameters.Add(Param("payload", NpgsqlDbType.Text, delivery.Message.ToJson()));
        cmd.Parameters.Add(Param("createdAt", NpgsqlDbType.TimestampTz, delivery.CreatedAt));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AlertDeliveryView>> ListDeliveriesAsync(AlertDeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var cmd = dataSource.CreateCommand(SelectDeliveries);
        cmd.Parameters.Add(Param("rule", NpgsqlDbType.Text, query.Rule));
        cmd.Parameters.Add(Param("job", NpgsqlDbType.Text, query.JobSlug));
        cmd.Parameters.Add(Param("status", NpgsqlDbType.Text, query.Status));
        cmd.Parameters.Add(Param("limit", NpgsqlDbType.Integer, query.Limit));
        return await cmd.ReadAllAsync(r => new AlertDeliveryView
        {
            Id = r.GetGuid(0), Rule = r.GetString(1), JobSlug = r.IsDBNull(2) ? null : r.GetString(2), Kind = r.GetString(3),
            Event = r.IsDBNull(4) ? null : r.GetString(4), Status = r.GetString(5), Attempts = r.GetInt32(6),
            LastResponseCode = r.IsDBNull(7) ? null : r.GetInt32(7), LastError = r.IsDBNull(8) ? null : r.GetString(8),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(9), SentAt = r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
            NextAttemptAt = r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11), Summary = r.IsDBNull(12) ? null : r.GetString(12),
        }, cancellationToken);
    }

    public async Task<int> DeleteOldAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(DeleteOld);
        cmd.Parameters.Add(Param("before", NpgsqlDbType.TimestampTz, before));
        return (int)(long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void AddRule(NpgsqlCommand cmd, AlertRule rule)
    {
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, rule.Id));
        cmd.Parameters.Add(Param("name", NpgsqlDbType.Text, rule.Name));
        cmd.Parameters.Add(Param("jobSlug", NpgsqlDbType.Text, rule.JobSlug));
        cmd.Parameters.Add(Param("events", NpgsqlDbType.Array | NpgsqlDbType.Text, rule.Events.Order().Select(e => e.ToText()).ToArray()));
        cmd.Parameters.Add(Param("channel", NpgsqlDbType.Text, rule.Channel.ToText()));
        cmd.Parameters.Add(Param("url", NpgsqlDbType.Text, rule.Url));
        cmd.Parameters.Add(Param("secret", NpgsqlDbType.Text, rule.Secret));
        cmd.Parameters.Add(Param("expectMs", NpgsqlDbType.Bigint, rule.ExpectSuccessWithin is { } w ? (long)w.TotalMilliseconds : null));
        cmd.Parameters.Add(Param("repeatMs", NpgsqlDbType.Bigint, (long)rule.RepeatEvery.TotalMilliseconds));
        cmd.Parameters.Add(Param("isEnabled", NpgsqlDbType.Boolean, rule.IsEnabled));
    }

    /// <summary>What the audit row keeps of a rule: never its URL's path or its secret.</summary>
    internal static AuditEntry Audit(string action, AlertRule rule, AdminActor actor, DateTimeOffset at) => new()
    {
        Id = Guid.CreateVersion7(), At = at, Actor = actor.Name, Action = action, JobSlug = rule.JobSlug, Target = rule.Name, RequestId = actor.RequestId,
        NewValuesJson = JsonSerializer.Serialize(new
        {
            jobSlug = rule.JobSlug, events = rule.Events.Order().Select(e => e.ToText()), channel = rule.Channel.ToText(),
            destination = AlertUrls.Destination(rule.Url), hasSecret = !string.IsNullOrEmpty(rule.Secret),
            expectSuccessWithin = rule.ExpectSuccessWithin?.ToString(), repeatEvery = rule.RepeatEvery.ToString(), isEnabled = rule.IsEnabled,
        }),
    };

    private static AlertRule ReadRule(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0), Name = r.GetString(1), JobSlug = r.IsDBNull(2) ? null : r.GetString(2),
        Events = r.GetFieldValue<string[]>(3).Select(t => AlertText.TryParseEvent(t, out var e) ? e : (AlertEvent?)null)
            .OfType<AlertEvent>().ToHashSet(),
        Channel = AlertText.TryParseChannel(r.GetString(4), out var channel) ? channel : AlertChannel.Webhook,
        Url = r.GetString(5), Secret = r.IsDBNull(6) ? null : r.GetString(6),
        ExpectSuccessWithin = r.IsDBNull(7) ? null : TimeSpan.FromMilliseconds(r.GetInt64(7)), RepeatEvery = TimeSpan.FromMilliseconds(r.GetInt64(8)),
        IsEnabled = r.GetBoolean(9), Source = r.GetString(10), Version = r.GetInt32(11), CreatedAt = r.GetFieldValue<DateTimeOffset>(12),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(13), UpdatedBy = r.GetString(14),
    };

    private static AlertEventRecord ReadEvent(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0), JobId = r.GetGuid(1), ExecutionId = r.IsDBNull(2) ? null : r.GetGuid(2),
        Kind = AlertText.TryParseEvent(r.GetString(3), out var kind) ? kind : AlertEvent.Failed,
        RuleId = r.IsDBNull(4) ? null : r.GetGuid(4), Detail = r.IsDBNull(5) ? null : r.GetString(5), OccurredAt = r.GetFieldValue<DateTimeOffset>(6),
    };

    private static AlertState ReadState(NpgsqlDataReader r) => new()
    {
        RuleId = r.GetGuid(0), JobId = r.GetGuid(1), Kind = r.GetString(2), OpenedAt = r.GetFieldValue<DateTimeOffset>(3),
        LastSentAt = r.GetFieldValue<DateTimeOffset>(4), Suppressed = r.GetInt32(5), Total = r.GetInt32(6),
    };

    private static AlertExecution ReadExecution(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0), Status = r.GetString(1), ScheduledFor = r.GetFieldValue<DateTimeOffset>(2),
        StartedAt = r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3), CompletedAt = r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
        DurationMs = r.IsDBNull(5) ? null : r.GetInt64(5), ExitCode = r.IsDBNull(6) ? null : r.GetInt32(6), RetryCount = r.GetInt32(7),
        ErrorMessage = r.IsDBNull(8) ? null : r.GetString(8), StatusReason = r.IsDBNull(9) ? null : r.GetString(9),
    };
}
