using Npgsql;
using NpgsqlTypes;
using static Totallator.Grains.Storage.NpgsqlCommands;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The PostgreSQL admin store. Each operation is one statement; a change and its audit row share it.</summary>
public sealed partial class PostgresAdminStore(NpgsqlDataSource dataSource) : IAdminStore
{
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(Ping);
        await cmd.ExecuteScalarAsync(cancellationToken);
    }

    public async Task<IReadOnlyDictionary<Guid, JobStatisticsRecord>> GetStatisticsAsync(Guid? jobId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectStatistics);
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("since", NpgsqlDbType.TimestampTz, now.AddHours(-24)));
        return (await cmd.ReadAllAsync(r => (Id: r.GetGuid(0), Statistics: ReadStatistics(r)), cancellationToken))
            .ToDictionary(x => x.Id, x => x.Statistics);
    }

    public async Task<ExecutionPage> GetExecutionPageAsync(Guid jobId, string jobSlug, ExecutionQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var cmd = dataSource.CreateCommand(SelectExecutionPage);
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text, query.Statuses?.Select(s => s.ToText()).ToArray()));
        cmd.Parameters.Add(Param("sources", NpgsqlDbType.Array | NpgsqlDbType.Text, query.TriggerSources?.Select(s => s.ToText()).ToArray()));
        cmd.Parameters.Add(Param("from", NpgsqlDbType.TimestampTz, query.From));
        cmd.Parameters.Add(Param("to", NpgsqlDbType.TimestampTz, query.To));
        cmd.Parameters.Add(Param("offset", NpgsqlDbType.Integer, query.Offset));
        // One more than asked: its presence says whether there is a next page, without a count over the whole history.
        cmd.Parameters.Add(Param("limit", NpgsqlDbType.Integer, query.Limit + 1));
        var items = await cmd.ReadAllAsync(r => ReadSummary(r, 0), cancellationToken);
        return AdminPages.Executions(items, query);
    }

    public async Task<ExecutionDetails?> GetExecutionDetailsAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectExecutionDetails);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, executionId));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var details = ReadDetails(reader);
        await reader.NextResultAsync(cancellationToken);
        var chain = await reader.ReadRowsAsync(r => (Before: r.GetBoolean(0),
            Link: new ChainLink(r.GetString(1), r.IsDBNull(2) ? null : r.GetGuid(2), r.IsDBNull(3) ? null : ExecutionStatusText.Parse(r.GetString(3)))), cancellationToken);
        return details with
        {
            UpstreamRuns = chain.Where(c => c.Before).Select(c => c.Link).ToList(),
            DownstreamRuns = chain.Where(c => !c.Before).Select(c => c.Link).ToList(),
        };
    }

    public async Task<Activity> GetActivityAsync(DateTimeOffset? endedSince, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectActivity);
        cmd.Parameters.Add(Param("since", NpgsqlDbType.TimestampTz, endedSince));
        cmd.Parameters.Add(Param("limit", NpgsqlDbType.Integer, limit));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var now = reader.GetFieldValue<DateTimeOffset>(0);
        await reader.NextResultAsync(cancellationToken);
        var active = await reader.ReadRowsAsync(r => ReadSummary(r, 0), cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var ended = await reader.ReadRowsAsync(r => ReadSummary(r, 0), cancellationToken);
        return new Activity { Now = now, Active = active, Ended = ended };
    }

    public async Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(InsertAudit);
        AddAudit(cmd, entry);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<AuditPage> GetAuditPageAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var cmd = dataSource.CreateCommand(SelectAuditPage);
        cmd.Parameters.Add(Param("jobSlug", NpgsqlDbType.Text, query.JobSlug));
        cmd.Parameters.Add(Param("actor", NpgsqlDbType.Text, query.Actor));
        cmd.Parameters.Add(Param("action", NpgsqlDbType.Text, query.Action));
        cmd.Parameters.Add(Param("from", NpgsqlDbType.TimestampTz, query.From));
        cmd.Parameters.Add(Param("to", NpgsqlDbType.TimestampTz, query.To));
        cmd.Parameters.Add(Param("offset", NpgsqlDbType.Integer, query.Offset));
        cmd.Parameters.Add(Param("limit", NpgsqlDbType.Integer, query.Limit + 1));
        var items = await cmd.ReadAllAsync(ReadAudit, cancellationToken);
        await using var count = dataSource.CreateCommand(CountAudit);
        return AdminPages.Audit(items, query, (long)(await count.ExecuteScalarAsync(cancellationToken))!);
    }

    public async Task<IReadOnlyDictionary<string, ConfigValue>> GetConfigAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectConfig);
        var rows = await cmd.ReadAllAsync(r => (Key: r.GetString(0),
            Value: new ConfigValue(r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), r.IsDBNull(3) ? null : r.GetString(3))), cancellationToken);
        return rows.ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal);
    }

    public async Task SetConfigAsync(IReadOnlyDictionary<string, string> values, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        await using var cmd = dataSource.CreateCommand(SetConfig);
        cmd.Parameters.Add(Param("keys", NpgsqlDbType.Array | NpgsqlDbType.Text, values.Keys.ToArray()));
        cmd.Parameters.Add(Param("values", NpgsqlDbType.Array | NpgsqlDbType.Text, values.Values.ToArray()));
        AddAudit(cmd, audit);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task CreateApiKeyAsync(ApiKeyInfo key, string keyHash, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var cmd = dataSource.CreateCommand(InsertApiKey);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, key.Id));
        cmd.Parameters.Add(Param("name", NpgsqlDbType.Text, key.Name));
        cmd.Parameters.Add(Param("role", NpgsqlDbType.Text, AdminRoleText.ToText(key.Role)));
        cmd.Parameters.Add(Param("prefix", NpgsqlDbType.Text, key.Prefix));
        cmd.Parameters.Add(Param("keyHash", NpgsqlDbType.Text, keyHash));
        cmd.Parameters.Add(Param("createdAt", NpgsqlDbType.TimestampTz, key.CreatedAt));
        cmd.Parameters.Add(Param("createdBy", NpgsqlDbType.Text, key.CreatedBy));
        AddAudit(cmd, audit);
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ex.ConstraintName == "cronapikey_name_key"
                ? new InvalidAdminInputException($"An API key named '{key.Name}' already exists; choose another name.") { Field = "name" }
                : new InvalidAdminInputException("This key is already stored; generate a new one.") { Field = "keyHash" };
        }
    }

    public async Task<bool> RevokeApiKeyAsync(Guid keyId, DateTimeOffset at, string revokedBy, AuditEntry audit, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(RevokeApiKey);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, keyId));
        cmd.Parameters.Add(Param("at", NpgsqlDbType.TimestampTz, at));
        cmd.Parameters.Add(Param("by", NpgsqlDbType.Text, revokedBy));
        AddAudit(cmd, audit);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))! > 0;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectApiKeys);
        return await cmd.ReadAllAsync(ReadApiKey, cancellationToken);
    }

    public async Task<ApiKeyInfo?> FindActiveApiKeyAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectActiveApiKeyByHash);
        cmd.Parameters.Add(Param("keyHash", NpgsqlDbType.Text, keyHash));
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        cmd.Parameters.Add(Param("resolutionMs", NpgsqlDbType.Double, ApiKeyUse.Resolution.TotalMilliseconds));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadApiKey(reader) : null;
    }

    public async Task<Guid?> FindTriggerRequestAsync(Guid jobId, string userId, string idempotencyKey, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectTriggerRequest);
        AddTriggerKey(cmd, jobId, userId, idempotencyKey);
        cmd.Parameters.Add(Param("since", NpgsqlDbType.TimestampTz, since));
        return await cmd.ExecuteScalarAsync(cancellationToken) is Guid id ? id : null;
    }

    public async Task<TriggerRecorded> RecordTriggerAsync(ManualTrigger trigger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        var claim = trigger.Claim;
        // Twice at most: the second run reads the key a concurrent trigger committed first (see RecordTrigger).
        for (var attempt = 1; ; attempt++)
        {
            await using var cmd = dataSource.CreateCommand(RecordTrigger);
            AddTriggerKey(cmd, claim.CronJobId, claim.TriggeredByUserId ?? "", trigger.IdempotencyKey);
            cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, claim.ExecutionId));
            cmd.Parameters.Add(Param("at", NpgsqlDbType.TimestampTz, claim.ScheduledFor));
            cmd.Parameters.Add(Param("since", NpgsqlDbType.TimestampTz, trigger.KeySince));
            cmd.Parameters.Add(Param("occurrenceKey", NpgsqlDbType.Text, claim.OccurrenceKey));
            cmd.Parameters.Add(Param("scheduledFor", NpgsqlDbType.TimestampTz, claim.ScheduledFor));
            cmd.Parameters.Add(Param("triggeredBy", NpgsqlDbType.Text, claim.TriggeredBy.ToText()));
            cmd.Parameters.Add(Param("reason", NpgsqlDbType.Text, claim.StatusReason));
            cmd.Parameters.Add(Param("leaseOwner", NpgsqlDbType.Text, claim.LeaseOwner));
            cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Double, claim.LeaseDuration.TotalMilliseconds));
            AddAudit(cmd, trigger.Audit);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new TriggerRecorded(reader.GetGuid(0), reader.GetBoolean(1), reader.GetBoolean(2));
            }
            if (attempt == 2)
            {
                throw new InvalidOperationException($"Trigger {claim.ExecutionId}: neither recorded nor answered by an earlier trigger with its key.");
            }
        }
    }

    // How long a partition's drop may wait for its lock (claims queue behind it meanwhile); past it, that day goes row by row.
    private static readonly TimeSpan PartitionDropLockTimeout = TimeSpan.FromSeconds(2);

    public async Task<CleanupResult> CleanupAsync(CleanupCutoffs cutoffs, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        // Whole days first (0015): a DROP instead of a day of row deletes and their WAL; what is left goes row by row below.
        var dropped = await History.PostgresHistoryPartitions.DropAsync(dataSource, cutoffs.Executions, PartitionDropLockTimeout, cancellationToken);
        await using var cmd = dataSource.CreateCommand(Cleanup);
        cmd.Parameters.Add(Param("dropped", NpgsqlDbType.Integer, checked((int)dropped)));
        cmd.Parameters.Add(Param("cutoff", NpgsqlDbType.TimestampTz, cutoffs.Executions));
        cmd.Parameters.Add(Param("days", NpgsqlDbType.Integer, cutoffs.ExecutionRetentionDays));
        cmd.Parameters.Add(Param("auditCutoff", NpgsqlDbType.TimestampTz, cutoffs.Audit));
        cmd.Parameters.Add(Param("auditDays", NpgsqlDbType.Integer, cutoffs.AuditRetentionDays));
        cmd.Parameters.Add(Param("requestCutoff", NpgsqlDbType.TimestampTz, cutoffs.TriggerRequests));
        AddAudit(cmd, audit);
        var rows = await cmd.ReadAllAsync(r => new CleanupResult { Deleted = r.GetInt32(0), AuditDeleted = r.GetInt32(1) }, cancellationToken);
        return rows.Single();
    }

    public async Task<CleanupResult> CountCleanupAsync(CleanupCutoffs cutoffs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        await using var cmd = dataSource.CreateCommand(CountCleanup);
        cmd.Parameters.Add(Param("cutoff", NpgsqlDbType.TimestampTz, cutoffs.Executions));
        cmd.Parameters.Add(Param("auditCutoff", NpgsqlDbType.TimestampTz, cutoffs.Audit));
        var rows = await cmd.ReadAllAsync(r => new CleanupResult { Deleted = r.GetInt32(0), AuditDeleted = r.GetInt32(1) }, cancellationToken);
        return rows.Single();
    }

    private static void AddTriggerKey(NpgsqlCommand cmd, Guid jobId, string userId, string? idempotencyKey)
    {
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("userId", NpgsqlDbType.Text, userId));
        cmd.Parameters.Add(Param("key", NpgsqlDbType.Text, idempotencyKey));
    }

    /// <summary>The <c>@audit*</c> parameters of <see cref="InsertAudit"/> and the statements that embed it.</summary>
    internal static void AddAudit(NpgsqlCommand cmd, AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        cmd.Parameters.Add(Param("auditId", NpgsqlDbType.Uuid, entry.Id));
        cmd.Parameters.Add(Param("auditAt", NpgsqlDbType.TimestampTz, entry.At));
        cmd.Parameters.Add(Param("auditActor", NpgsqlDbType.Text, entry.Actor));
        cmd.Parameters.Add(Param("auditAction", NpgsqlDbType.Text, entry.Action));
        cmd.Parameters.Add(Param("auditJobSlug", NpgsqlDbType.Text, entry.JobSlug));
        cmd.Parameters.Add(Param("auditTarget", NpgsqlDbType.Text, entry.Target));
        cmd.Parameters.Add(Param("auditOld", NpgsqlDbType.Text, entry.OldValuesJson));
        cmd.Parameters.Add(Param("auditNew", NpgsqlDbType.Text, entry.NewValuesJson));
        cmd.Parameters.Add(Param("auditRequestId", NpgsqlDbType.Text, entry.RequestId));
    }

}
