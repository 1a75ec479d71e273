namespace Totallator.Grains.Storage;

public sealed partial class PostgresAdminStore
{
    // Internal on purpose: the exact text of a statement is not a contract.
    internal const string SummaryColumns = """
        e.id, j.slug, e.occurrenceKey, e.scheduledFor, e.startedAt, e.completedAt, e.durationMs, e.status, e.statusReason, e.exitCode,
        e.triggeredBy, e.triggeredByUserId, e.retryCount, e.memoryUsageMb, e.cpuUsagePercent, e.itemsProcessed, e.upstreamExecutionIds
        """;

    internal const string Ping = "SELECT 1";

    // One statement for all jobs. Each LATERAL walks the (cronJobId, scheduledFor DESC) index of one job and stops early: the
    // figures read at most 100 ended rows per job, the 24-hour counts one day of rows, the running ids a partial index.
    internal const string SelectStatistics = $"""
        SELECT j.id,
               s.sampleSize, s.succeeded, s.avgDuration, s.p50, s.p95, s.p99, s.maxDuration, s.avgMemory, s.avgCpu, s.retries,
               d.runs, d.failures, d.notRun,
               ARRAY(SELECT r.id FROM cronJobExecution r WHERE r.cronJobId = j.id AND r.status = 'running' ORDER BY r.scheduledFor) AS running,
               lr.*,
               s.recentStatuses, s.recentDurations
        FROM cronJob j
        CROSS JOIN LATERAL (
            SELECT count(*)::int AS sampleSize,
                   count(*) FILTER (WHERE x.status = 'succeeded')::int AS succeeded,
                   avg(x.durationMs)::float8 AS avgDuration,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY x.durationMs) AS p50,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY x.durationMs) AS p95,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY x.durationMs) AS p99,
                   max(x.durationMs) AS maxDuration,
                   avg(x.memoryUsageMb) AS avgMemory,
                   avg(x.cpuUsagePercent) AS avgCpu,
                   count(*) FILTER (WHERE x.retryCount > 0)::int AS retries,
                   array_agg(x.status ORDER BY x.rn DESC) FILTER (WHERE x.rn <= 20) AS recentStatuses, -- JobStatistics.TrendSize
                   array_agg(x.durationMs ORDER BY x.rn DESC) FILTER (WHERE x.rn <= 20) AS recentDurations
            FROM (SELECT e.status, e.durationMs, e.memoryUsageMb, e.cpuUsagePercent, e.retryCount,
                         row_number() OVER (ORDER BY e.scheduledFor DESC, e.retryCount DESC) AS rn
                  FROM cronJobExecution e
                  WHERE e.cronJobId = j.id AND e.status IN ('succeeded', 'failed', 'timed_out', 'abandoned')
                  ORDER BY e.scheduledFor DESC, e.retryCount DESC
                  LIMIT 100) x -- IAdminStore.StatisticsSampleSize
        ) s
        CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE e.startedAt IS NOT NULL)::int AS runs,
                   count(*) FILTER (WHERE e.status IN ('failed', 'timed_out', 'abandoned'))::int AS failures,
                   count(*) FILTER (WHERE e.status IN ('skipped', 'missed'))::int AS notRun
            FROM cronJobExecution e
            WHERE e.cronJobId = j.id AND e.scheduledFor >= @since
        ) d
        LEFT JOIN LATERAL (
            SELECT {SummaryColumns}
            FROM cronJobExecution e
            WHERE e.cronJobId = j.id AND e.startedAt IS NOT NULL AND e.status <> 'claimed'
            ORDER BY e.scheduledFor DESC, e.retryCount DESC
            LIMIT 1
        ) lr ON true
        WHERE @jobId::uuid IS NULL OR j.id = @jobId
        """;

    internal const string SelectExecutionPage = $"""
        SELECT {SummaryColumns}
        FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
        WHERE e.cronJobId = @jobId
          AND (@statuses::text[] IS NULL OR e.status = ANY(@statuses))
          AND (@sources::text[] IS NULL OR e.triggeredBy = ANY(@sources))
          AND (@from::timestamptz IS NULL OR e.scheduledFor >= @from)
          AND (@to::timestamptz IS NULL OR e.scheduledFor < @to)
        ORDER BY e.scheduledFor DESC, e.retryCount DESC
        OFFSET @offset LIMIT @limit
        """;

    // Three statements, one round trip: the database clock, the active rows (the partial index on running/claimed rows; a claim
    // counts once its instant has come, i.e. its run is starting), and the latest ended rows (the completedAt index, backwards).
    internal const string SelectActivity = $"""
        SELECT now();
        SELECT {SummaryColumns}
        FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
        WHERE e.status IN ('running', 'claimed') AND (e.status = 'running' OR e.scheduledFor <= now())
        ORDER BY e.scheduledFor
        LIMIT 500;
        SELECT {SummaryColumns}
        FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
        WHERE e.completedAt IS NOT NULL AND (@since::timestamptz IS NULL OR e.completedAt > @since)
        ORDER BY e.completedAt DESC
        LIMIT @limit
        """;

    // The execution, then its chain (0009): the upstream executions that signalled its occurrence (kept on the occurrence's first
    // attempt), and what any attempt of its occurrence signalled (with the runs that consumed those signals, if any yet).
    internal const string SelectExecutionDetails = $"""
        SELECT {SummaryColumns}, j.name, e.output, e.errorMessage, e.stackTrace, e.metrics::text
        FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
        WHERE e.id = @id;
        SELECT true, uj.slug, u.id, u.status
        FROM cronJobExecution x
        JOIN cronJobExecution f ON f.cronJobId = x.cronJobId AND f.occurrenceKey = x.occurrenceKey AND f.retryCount = 0
        CROSS JOIN LATERAL unnest(f.upstreamExecutionIds) AS up(id)
        JOIN cronJobExecution u ON u.id = up.id JOIN cronJob uj ON uj.id = u.cronJobId
        WHERE x.id = @id
        UNION ALL
        SELECT false, dj.slug, c.id, c.status
        FROM cronJobExecution x
        JOIN cronJobExecution a ON a.cronJobId = x.cronJobId AND a.occurrenceKey = x.occurrenceKey
        JOIN cronJobSignal r ON r.upstreamExecutionId = a.id
        JOIN cronJob dj ON dj.id = r.downstreamId
        LEFT JOIN cronJobExecution c ON c.id = r.consumedBy
        WHERE x.id = @id
        ORDER BY 2
        """;

    internal const string AuditColumns = "id, at, actor, action, jobSlug, target, oldValues::text, newValues::text, requestId";

    internal const string InsertAudit = """
        INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
        VALUES (@auditId, @auditAt, @auditActor, @auditAction, @auditJobSlug, @auditTarget, @auditOld::jsonb, @auditNew::jsonb, @auditRequestId)
        """;

    internal const string SelectAuditPage = $"""
        SELECT {AuditColumns}
        FROM cronAudit
        WHERE (@jobSlug::text IS NULL OR jobSlug = @jobSlug)
          AND (@actor::text IS NULL OR actor = @actor)
          AND (@action::text IS NULL OR action = @action)
          AND (@from::timestamptz IS NULL OR at >= @from)
          AND (@to::timestamptz IS NULL OR at < @to)
        ORDER BY at DESC, id DESC
        OFFSET @offset LIMIT @limit
        """;

    internal const string SelectConfig = "SELECT key, value, updatedAt, updatedBy FROM cronJobConfig";

    // One statement: the values and their audit row commit together or not at all.
    internal const string SetConfig = $"""
        WITH upsert AS (
            INSERT INTO cronJobConfig (key, value, updatedAt, updatedBy)
            SELECT k, v, @auditAt, @auditActor FROM unnest(@keys::text[], @values::text[]) AS u(k, v)
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updatedAt = EXCLUDED.updatedAt, updatedBy = EXCLUDED.updatedBy
        )
        {InsertAudit}
        """;

    internal const string ApiKeyColumns = "id, name, role, prefix, createdAt, createdBy, revokedAt, revokedBy, lastUsedAt";

    internal const string InsertApiKey = $"""
        WITH created AS (
            INSERT INTO cronApiKey (id, name, role, prefix, keyHash, createdAt, createdBy)
            VALUES (@id, @name, @role, @prefix, @keyHash, @createdAt, @createdBy)
        )
        {InsertAudit}
        """;

    internal const string RevokeApiKey = """
        WITH revoked AS (
            UPDATE cronApiKey SET revokedAt = @at, revokedBy = @by
            WHERE id = @id AND revokedAt IS NULL
            RETURNING id
        ), audit AS (
            INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
            SELECT @auditId, @auditAt, @auditActor, @auditAction, @auditJobSlug, @auditTarget, @auditOld::jsonb, @auditNew::jsonb, @auditRequestId
            FROM revoked
        )
        SELECT count(*) FROM revoked
        """;

    internal const string SelectApiKeys = $"SELECT {ApiKeyColumns} FROM cronApiKey ORDER BY createdAt DESC, id DESC";

    // The key's check and the record of its use in one round trip; the write only when the last one is a minute old (0012).
    internal const string SelectActiveApiKeyByHash = $"""
        WITH found AS (
            SELECT {ApiKeyColumns} FROM cronApiKey WHERE keyHash = @keyHash AND revokedAt IS NULL
        ), used AS (
            UPDATE cronApiKey k SET lastUsedAt = @now
            FROM found f
            WHERE k.id = f.id AND (k.lastUsedAt IS NULL OR k.lastUsedAt < @now - @resolutionMs * interval '1 millisecond')
        )
        SELECT {ApiKeyColumns} FROM found
        """;

    // A key whose run was given up without ever starting (ended skipped or missed: its trigger's answer was lost and its
    // activation went) holds nothing: the caller's retry with the key runs anew. One that may have started (abandoned) holds.
    internal const string SelectTriggerRequest = """
        SELECT t.executionId FROM cronTriggerRequest t
        WHERE t.jobId = @jobId AND t.userId = @userId AND t.idempotencyKey = @key AND t.createdAt >= @since
          AND NOT EXISTS (SELECT 1 FROM cronJobExecution x WHERE x.id = t.executionId AND x.status IN ('skipped', 'missed'))
        """;

    // One statement, so a trigger is claimed, keyed and audited together or not at all (before, a key committed with a failed
    // audit write replayed a run that never started). A key record older than the window is replaced; a fresh one wins, and
    // nothing else is written. A concurrent trigger with the same key that commits first leaves this statement no row to
    // read (its snapshot predates that commit): the caller runs it again and reads the winner.
    internal const string RecordTrigger = """
        WITH keyed AS (
            INSERT INTO cronTriggerRequest (jobId, userId, idempotencyKey, executionId, createdAt)
            SELECT @jobId, @userId, @key, @id, @at WHERE @key::text IS NOT NULL
            ON CONFLICT (jobId, userId, idempotencyKey) DO UPDATE SET executionId = EXCLUDED.executionId, createdAt = EXCLUDED.createdAt
            WHERE cronTriggerRequest.createdAt < @since
               OR EXISTS (SELECT 1 FROM cronJobExecution x WHERE x.id = cronTriggerRequest.executionId AND x.status IN ('skipped', 'missed'))
            RETURNING executionId
        ), earlier AS (
            SELECT t.executionId FROM cronTriggerRequest t
            WHERE @key::text IS NOT NULL AND t.jobId = @jobId AND t.userId = @userId AND t.idempotencyKey = @key
              AND NOT EXISTS (SELECT 1 FROM keyed)
        ), claim AS (
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, status, triggeredBy,
                                          triggeredByUserId, retryCount, statusReason, leaseOwner, leaseExpiresAt)
            -- Claimed, not yet started: the run starts once this answer is back, and its start is recorded if it lasts (as a
            -- claim ahead's), so a trigger whose answer was lost never reads as a run that started.
            SELECT @id, @jobId, @occurrenceKey, @scheduledFor, NULL, 'claimed', @triggeredBy, @userId, 0, @reason, @leaseOwner,
                   now() + @leaseMs * interval '1 millisecond'
            WHERE @key::text IS NULL OR EXISTS (SELECT 1 FROM keyed)
            RETURNING id
        ), audit AS (
            INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
            SELECT @auditId, @auditAt, @auditActor, @auditAction, @auditJobSlug, @auditTarget, @auditOld::jsonb, @auditNew::jsonb, @auditRequestId
            FROM claim
        )
        SELECT id, false, false FROM claim
        UNION ALL
        SELECT e.executionId, true, COALESCE((SELECT x.status IN ('claimed', 'running') FROM cronJobExecution x WHERE x.id = e.executionId), false)
        FROM earlier e
        """;

    // The rows no dropped partition took (HistoryPartitions.DropAsync runs first and passes how many went as @dropped): those
    // of the day that straddles the cutoff, of a day that still held a running row, and of the default partition. The audit
    // row counts both, so the roll-ups read one cutoff whichever way the rows went.
    internal const string Cleanup = """
        WITH gone AS (
            DELETE FROM cronJobExecution WHERE status NOT IN ('running', 'claimed') AND completedAt < @cutoff
            RETURNING id
        ), signalsGone AS (
            -- What ON DELETE CASCADE did until 0015 dropped the foreign key: the signals these executions consumed go with them.
            DELETE FROM cronJobSignal s USING gone g WHERE s.consumedBy = g.id
        ), auditGone AS (
            DELETE FROM cronAudit WHERE at < @auditCutoff
            RETURNING 1
        ), requests AS (
            DELETE FROM cronTriggerRequest WHERE createdAt < @requestCutoff
        ), n AS (
            SELECT (SELECT count(*)::int FROM gone) + @dropped AS deleted, (SELECT count(*)::int FROM auditGone) AS auditDeleted
        ), audit AS (
            INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
            SELECT @auditId, @auditAt, @auditActor, 'executions.cleanup', NULL, NULL, NULL,
                   jsonb_build_object('deleted', n.deleted, 'olderThanDays', @days::int,
                                      'auditDeleted', n.auditDeleted, 'auditRetentionDays', @auditDays::int), @auditRequestId
            FROM n
        )
        SELECT deleted, auditDeleted FROM n
        """;

    internal const string CountAudit = "SELECT count(*) FROM cronAudit";

    // The same predicates as Cleanup's deletes, counted.
    internal const string CountCleanup = """
        SELECT (SELECT count(*)::int FROM cronJobExecution WHERE status NOT IN ('running', 'claimed') AND completedAt < @cutoff),
               (SELECT count(*)::int FROM cronAudit WHERE at < @auditCutoff)
        """;
}
