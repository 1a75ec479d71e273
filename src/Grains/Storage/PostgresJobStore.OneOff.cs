using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.OneOff;
using static Totallator.Grains.Storage.NpgsqlCommands;

namespace Totallator.Grains.Storage;

/// <summary>One-off runs in PostgreSQL (0010_one_off_runs.sql).</summary>
public sealed partial class PostgresJobStore : IOneOffStore
{
    internal const string InsertOneOff = $"""
        WITH added AS (
            INSERT INTO cronJobOneOff (id, cronJobId, runAt, timeZone, note, createdAt, createdBy)
            VALUES (@id, @jobId, @runAt, @timeZone, @note, @createdAt, @createdBy)
            RETURNING id
        )
        INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
        SELECT @auditId, @auditAt, @auditActor, @auditAction, @auditJobSlug, @auditTarget, @auditOld::jsonb, @auditNew::jsonb, @auditRequestId
        FROM added
        """;

    internal const string OneOffColumns = "id, runAt, timeZone, note, createdAt, createdBy, cancelledAt, cancelledBy, executionId";

    internal const string SelectOneOffs = $"""
        SELECT {OneOffColumns} FROM cronJobOneOff
        WHERE cronJobId = @jobId AND (NOT @pendingOnly OR cancelledAt IS NULL AND executionId IS NULL)
        ORDER BY CASE WHEN @pendingOnly THEN runAt END, runAt DESC
        LIMIT @limit
        """;

    // Locks the one-off, so a cancel and a take of the same one cannot both succeed; the audit row is written only with the cancel.
    internal const string CancelOneOff = """
        WITH target AS (
            SELECT id, cancelledAt, executionId FROM cronJobOneOff WHERE id = @id AND cronJobId = @jobId FOR UPDATE
        ), cancelled AS (
            UPDATE cronJobOneOff o SET cancelledAt = @auditAt, cancelledBy = @auditActor
            FROM target t WHERE o.id = t.id AND t.cancelledAt IS NULL AND t.executionId IS NULL
            RETURNING o.id
        ), audit AS (
            INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
            SELECT @auditId, @auditAt, @auditActor, @auditAction, @auditJobSlug, @auditTarget, @auditOld::jsonb, @auditNew::jsonb, @auditRequestId
            FROM cancelled
        )
        SELECT (SELECT count(*) FROM target), (SELECT count(*) FROM cancelled), (SELECT cancelledAt IS NOT NULL FROM target)
        """;

    // The take: locks the pending one-off (or the one this claim took already, asked again after a lost answer), inserts the
    // execution, and marks the one-off taken by it. A claimant the membership declared dead takes nothing (0007).
    internal const string TakeOneOff = $"""
        WITH dead AS (
            SELECT totallator_silo_declared_dead(@owner) AS isDead
        ), target AS (
            SELECT o.id, o.executionId FROM cronJobOneOff o, dead
            WHERE o.id = @oneOffId AND o.cronJobId = @jobId AND o.cancelledAt IS NULL AND (o.executionId IS NULL OR o.executionId = @id)
              AND NOT dead.isDead
            FOR UPDATE OF o
        ), ins AS (
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, completedAt, status, triggeredBy, triggeredByUserId,
                                          retryCount, statusReason, leaseOwner, leaseExpiresAt)
            SELECT @id, @jobId, @key, @scheduledFor, CASE WHEN @endsAs::text IS NULL THEN NULL ELSE now() END, COALESCE(@endsAs::text, 'claimed'),
                   'one-off', @userId, 0, @reason, @owner, CASE WHEN @endsAs::text IS NULL THEN now() + @leaseMs * interval '1 millisecond' END
            FROM target WHERE target.executionId IS NULL
            ON CONFLICT (cronJobId, occurrenceKey, retryCount, scheduledFor) DO NOTHING
            RETURNING id, cronJobId, occurrenceKey, scheduledFor, retryCount, status, startedAt, completedAt, durationMs, statusReason, triggeredBy
        ), statEnds AS (
            -- A run that ends as it is claimed (skipped: its job is disabled or paused) counts as not run.
            SELECT * FROM ins WHERE status <> 'claimed'
        ), {CountStats}, took AS (
            UPDATE cronJobOneOff o SET executionId = i.id FROM ins i WHERE o.id = @oneOffId
            RETURNING o.id
        )
        SELECT (SELECT isDead FROM dead), EXISTS (SELECT 1 FROM took) OR EXISTS (SELECT 1 FROM target WHERE executionId = @id)
        """;

    public async Task AddOneOffAsync(Guid jobId, OneOffRun run, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        await using var cmd = dataSource.CreateCommand(InsertOneOff);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, run.Id));
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("runAt", NpgsqlDbType.TimestampTz, run.RunAt.ToUniversalTime()));
        cmd.Parameters.Add(Param("timeZone", NpgsqlDbType.Text, run.TimeZone));
        cmd.Parameters.Add(Param("note", NpgsqlDbType.Text, run.Note));
        cmd.Parameters.Add(Param("createdAt", NpgsqlDbType.TimestampTz, run.CreatedAt));
        cmd.Parameters.Add(Param("createdBy", NpgsqlDbType.Text, run.CreatedBy));
        PostgresAdminStore.AddAudit(cmd, audit);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<OneOffRun>> GetOneOffsAsync(Guid jobId, string jobSlug, bool pendingOnly, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectOneOffs);
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("pendingOnly", NpgsqlDbType.Boolean, pendingOnly));
        cmd.Parameters.Add(Param("limit", NpgsqlDbType.Integer, limit));
        return await cmd.ReadAllAsync(r => ReadOneOff(r, jobSlug), cancellationToken);
    }

    private static OneOffRun ReadOneOff(NpgsqlDataReader r, string jobSlug)
    {
        var zone = r.GetString(2);
        return new OneOffRun
        {
            Id = r.GetGuid(0), JobSlug = jobSlug, RunAt = Scheduling.CronSchedule.TryFindTimeZone(zone, out var tz)
                ? TimeZoneInfo.ConvertTime(r.GetFieldValue<DateTimeOffset>(1), tz!) : r.GetFieldValue<DateTimeOffset>(1),
            TimeZone = zone, Note = r.IsDBNull(3) ? null : r.GetString(3), CreatedAt = r.GetFieldValue<DateTimeOffset>(4), CreatedBy = r.GetString(5),
            CancelledAt = r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), CancelledBy = r.IsDBNull(7) ? null : r.GetString(7),
            ExecutionId = r.IsDBNull(8) ? null : r.GetGuid(8),
        };
    }

    public async Task<OneOffCancel> CancelOneOffAsync(Guid jobId, Guid oneOffId, string by, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        await using var cmd = dataSource.CreateCommand(CancelOneOff);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, oneOffId));
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        PostgresAdminStore.AddAudit(cmd, audit with { At = at, Actor = by });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0) == 0 ? OneOffCancel.NotFound
            : reader.GetInt64(1) == 1 ? OneOffCancel.Cancelled
            : reader.GetBoolean(2) ? OneOffCancel.AlreadyCancelled : OneOffCancel.AlreadyTaken;
    }

    public async Task<bool> TakeOneOffAsync(Guid oneOffId, ExecutionClaim claim, ExecutionStatus? endsAs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        await using var cmd = dataSource.CreateCommand(TakeOneOff);
        cmd.Parameters.Add(Param("owner", NpgsqlDbType.Text, claim.LeaseOwner));
        cmd.Parameters.Add(Param("oneOffId", NpgsqlDbType.Uuid, oneOffId));
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, claim.CronJobId));
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, claim.ExecutionId));
        cmd.Parameters.Add(Param("key", NpgsqlDbType.Text, claim.OccurrenceKey));
        cmd.Parameters.Add(Param("scheduledFor", NpgsqlDbType.TimestampTz, claim.ScheduledFor.ToUniversalTime()));
        cmd.Parameters.Add(Param("endsAs", NpgsqlDbType.Text, endsAs?.ToText()));
        cmd.Parameters.Add(Param("userId", NpgsqlDbType.Text, claim.TriggeredByUserId));
        cmd.Parameters.Add(Param("reason", NpgsqlDbType.Text, claim.StatusReason));
        cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Double, claim.LeaseDuration.TotalMilliseconds));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetBoolean(0) ? throw DeclaredDead(claim.LeaseOwner) : reader.GetBoolean(1);
    }
}
