namespace Totallator.Grains.Alerts;

public sealed partial class PostgresAlertStore
{
    // Advisory lock keys (any constant both statements agree on): one planner and one freshness check at a time in the cluster.
    internal const long PlanLock = 0x746F_7461_6C01;
    internal const long FreshnessLock = 0x746F_7461_6C02;

    internal const string RuleColumns = """
        id, name, jobSlug, events, channel, url, secret, expectSuccessWithinMs, repeatEveryMs, isEnabled, source, version, createdAt,
        updatedAt, updatedBy
        """;

    // The audit row of a change, written only when the change happened (FROM the CTE of changed rows).
    internal const string AuditRow = """
        INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
        SELECT @auditId, @auditAt, @auditActor, @auditAction, @auditJobSlug, @auditTarget, @auditOld::jsonb, @auditNew::jsonb, @auditRequestId
        """;

    internal const string SelectRules = $"SELECT {RuleColumns} FROM cronAlertRule ORDER BY name";

    internal const string InsertRule = $"""
        WITH added AS (
            INSERT INTO cronAlertRule (id, name, jobSlug, events, channel, url, secret, expectSuccessWithinMs, repeatEveryMs, isEnabled,
                                       source, createdAt, createdBy, updatedAt, updatedBy)
            VALUES (@id, @name, @jobSlug, @events, @channel, @url, @secret, @expectMs, @repeatMs, @isEnabled, @source, @now, @by, @now, @by)
            RETURNING {RuleColumns}
        ), audit AS (
            {AuditRow} FROM added
        )
        SELECT {RuleColumns} FROM added
        """;

    // A change keeps the stored URL and secret when none is sent (the pages never have them to send back).
    internal const string UpdateRule = $"""
        WITH changed AS (
            UPDATE cronAlertRule
            SET jobSlug = @jobSlug, events = @events, channel = @channel, url = COALESCE(NULLIF(@url, ''), url),
                secret = CASE WHEN @secret IS NULL THEN secret ELSE NULLIF(@secret, '') END,
                expectSuccessWithinMs = @expectMs, repeatEveryMs = @repeatMs, isEnabled = @isEnabled,
                version = version + 1, updatedAt = @now, updatedBy = @by
            WHERE name = @name AND source = 'api' AND version = @expectedVersion
            RETURNING {RuleColumns}
        ), audit AS (
            {AuditRow} FROM changed
        )
        SELECT {RuleColumns} FROM changed
        """;

    internal const string DeleteRule = $"""
        WITH gone AS (
            DELETE FROM cronAlertRule WHERE name = @name AND source = 'api' RETURNING id
        ), audit AS (
            {AuditRow} FROM gone
        )
        SELECT count(*) FROM gone
        """;

    internal const string SelectRuleState = "SELECT source, version FROM cronAlertRule WHERE name = @name";

    internal const string DeleteConfiguredRulesGone = """
        DELETE FROM cronAlertRule WHERE source = 'configuration' AND NOT (name = ANY(@names))
        """;

    internal const string UpsertConfiguredRule = """
        INSERT INTO cronAlertRule (id, name, jobSlug, events, channel, url, secret, expectSuccessWithinMs, repeatEveryMs, isEnabled,
                                   source, createdAt, createdBy, updatedAt, updatedBy)
        VALUES (@id, @name, @jobSlug, @events, @channel, @url, @secret, @expectMs, @repeatMs, @isEnabled, 'configuration', @now,
                'configuration', @now, 'configuration')
        ON CONFLICT (name) DO UPDATE
            SET jobSlug = EXCLUDED.jobSlug, events = EXCLUDED.events, channel = EXCLUDED.channel, url = EXCLUDED.url,
                secret = EXCLUDED.secret, expectSuccessWithinMs = EXCLUDED.expectSuccessWithinMs, repeatEveryMs = EXCLUDED.repeatEveryMs,
                isEnabled = EXCLUDED.isEnabled, version = cronAlertRule.version + 1, updatedAt = EXCLUDED.updatedAt
            WHERE cronAlertRule.source = 'configuration'
              AND (cronAlertRule.jobSlug, cronAlertRule.events, cronAlertRule.channel, cronAlertRule.url, cronAlertRule.secret,
                   cronAlertRule.expectSuccessWithinMs, cronAlertRule.repeatEveryMs, cronAlertRule.isEnabled)
                  IS DISTINCT FROM (EXCLUDED.jobSlug, EXCLUDED.events, EXCLUDED.channel, EXCLUDED.url, EXCLUDED.secret,
                                    EXCLUDED.expectSuccessWithinMs, EXCLUDED.repeatEveryMs, EXCLUDED.isEnabled)
        """;

    internal const string TryLock = "SELECT pg_try_advisory_xact_lock(@key)";

    internal const string AnyPendingEvent = "SELECT EXISTS (SELECT 1 FROM cronAlertEvent WHERE processedAt IS NULL)";

    internal const string SelectPendingEvents = """
        SELECT id, jobId, executionId, kind, ruleId, detail, occurredAt
        FROM cronAlertEvent WHERE processedAt IS NULL ORDER BY id LIMIT @max
        """;

    internal const string SelectPlanContext = $"""
        {SelectRules};
        SELECT ruleId, jobId, kind, openedAt, lastSentAt, suppressed, total FROM cronAlertState WHERE jobId = ANY(@jobIds);
        SELECT id, slug, name, isEnabled, deletedAt IS NOT NULL, updatedAt FROM cronJob WHERE id = ANY(@jobIds);
        SELECT id, status, scheduledFor, startedAt, completedAt, durationMs, exitCode, retryCount, errorMessage, statusReason
        FROM cronJobExecution WHERE id = ANY(@executionIds);
        SELECT COALESCE((SELECT value = 'true' FROM cronJobConfig WHERE key = 'schedulingPaused'), false), now();
        """;

    internal const string WritePlan = """
        INSERT INTO cronAlertState (ruleId, jobId, kind, openedAt, lastSentAt, suppressed, total)
        SELECT * FROM unnest(@sRules::uuid[], @sJobs::uuid[], @sKinds::text[], @sOpened::timestamptz[], @sSent::timestamptz[],
                             @sSuppressed::integer[], @sTotal::integer[])
        ON CONFLICT (ruleId, jobId, kind) DO UPDATE
            SET openedAt = EXCLUDED.openedAt, lastSentAt = EXCLUDED.lastSentAt, suppressed = EXCLUDED.suppressed, total = EXCLUDED.total;
        DELETE FROM cronAlertState s
        USING unnest(@cRules::uuid[], @cJobs::uuid[], @cKinds::text[]) AS c(ruleId, jobId, kind)
        WHERE s.ruleId = c.ruleId AND s.jobId = c.jobId AND s.kind = c.kind;
        INSERT INTO cronAlertDelivery (id, eventId, ruleId, jobId, kind, payload, createdAt, nextAttemptAt)
        SELECT d.id, d.eventId, d.ruleId, d.jobId, d.kind, d.payload::jsonb, d.createdAt, d.createdAt
        FROM unnest(@dIds::uuid[], @dEvents::bigint[], @dRules::uuid[], @dJobs::uuid[], @dKinds::text[], @dPayloads::text[],
                    @dCreated::timestamptz[]) AS d(id, eventId, ruleId, jobId, kind, payload, createdAt)
        ON CONFLICT (eventId, ruleId) DO NOTHING;
        UPDATE cronAlertEvent SET processedAt = now() WHERE id = ANY(@eventIds);
        """;

    // The dead man's switch. A job is judged from when it or the rule last changed (a rule added today does not call a job
    // stale for last week). The last success is looked up in the window only (the index on cronJobId, scheduledFor), or since
    // the open incident began. An event still pending for the rule and job waits for the planner: nothing is written twice.
    internal const string CheckFreshness = """
        WITH watched AS (
            SELECT r.id AS ruleId, r.expectSuccessWithinMs * interval '1 millisecond' AS win, r.repeatEveryMs * interval '1 millisecond' AS rep,
                   greatest(r.updatedAt, j.createdAt, j.updatedAt) AS since, j.id AS jobId
            FROM cronAlertRule r JOIN cronJob j ON r.jobSlug IS NULL OR j.slug = r.jobSlug
            WHERE r.isEnabled AND 'stale' = ANY (r.events) AND j.isEnabled AND NOT j.isOrphaned AND j.deletedAt IS NULL
              AND NOT COALESCE((SELECT value = 'true' FROM cronJobConfig WHERE key = 'schedulingPaused'), false)
        ), judged AS (
            SELECT w.*, s.openedAt, s.lastSentAt,
                   (SELECT max(e.completedAt) FROM cronJobExecution e
                    WHERE e.cronJobId = w.jobId AND e.status = 'succeeded'
                      AND e.scheduledFor > least(now() - w.win, COALESCE(s.openedAt, now())) - interval '1 day') AS lastOk
            FROM watched w LEFT JOIN cronAlertState s ON s.ruleId = w.ruleId AND s.jobId = w.jobId AND s.kind = 'stale'
            WHERE NOT EXISTS (SELECT 1 FROM cronAlertEvent p WHERE p.processedAt IS NULL AND p.ruleId = w.ruleId AND p.jobId = w.jobId)
        )
        INSERT INTO cronAlertEvent (jobId, kind, ruleId, detail, occurredAt)
        SELECT jobId,
               CASE WHEN openedAt IS NOT NULL AND lastOk > openedAt THEN 'recovered' ELSE 'stale' END,
               ruleId,
               CASE WHEN lastOk IS NULL THEN 'no success on record in the window'
                    ELSE 'last success ' || to_char(lastOk AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') END,
               now()
        FROM judged
        WHERE openedAt IS NULL AND since < now() - win AND (lastOk IS NULL OR lastOk < now() - win)
           OR openedAt IS NOT NULL AND lastOk > openedAt
           OR openedAt IS NOT NULL AND (lastOk IS NULL OR lastOk <= openedAt) AND lastSentAt < now() - rep
        """;

    internal const string TakeDue = """
        WITH due AS (
            SELECT d.id FROM cronAlertDelivery d
            WHERE d.status = 'pending' AND d.nextAttemptAt <= now() AND (d.lockedUntil IS NULL OR d.lockedUntil < now())
              AND d.ruleId IN (SELECT id FROM cronAlertRule WHERE isEnabled)
            ORDER BY d.nextAttemptAt
            LIMIT @max
            FOR UPDATE SKIP LOCKED
        )
        UPDATE cronAlertDelivery d SET lockedBy = @silo, lockedUntil = now() + @leaseMs * interval '1 millisecond'
        FROM due, cronAlertRule r
        WHERE d.id = due.id AND r.id = d.ruleId
        RETURNING d.id, d.attempts, d.createdAt, d.payload::text, r.channel, r.url, r.secret, r.name
        """;

    internal const string RecordAttempt = """
        UPDATE cronAlertDelivery
        SET attempts = attempts + 1, lastAttemptAt = @at, lastResponseCode = @code, lastError = @error,
            status = CASE WHEN @delivered THEN 'sent' WHEN @next::timestamptz IS NULL THEN 'given_up' ELSE 'pending' END,
            sentAt = CASE WHEN @delivered THEN @at END,
            nextAttemptAt = COALESCE(@next, nextAttemptAt), lockedBy = NULL, lockedUntil = NULL
        WHERE id = @id AND lockedBy = @silo AND status = 'pending'
        """;

    internal const string InsertDelivery = """
        INSERT INTO cronAlertDelivery (id, eventId, ruleId, jobId, kind, payload, createdAt, nextAttemptAt)
        VALUES (@id, @eventId, @ruleId, @jobId, @kind, @payload::jsonb, @createdAt, @createdAt)
        """;

    internal const string SelectDeliveries = """
        SELECT d.id, r.name, j.slug, d.kind, d.payload->>'event', d.status, d.attempts, d.lastResponseCode, d.lastError, d.createdAt,
               d.sentAt, CASE WHEN d.status = 'pending' THEN d.nextAttemptAt END, d.payload->>'summary'
        FROM cronAlertDelivery d
        JOIN cronAlertRule r ON r.id = d.ruleId
        LEFT JOIN cronJob j ON j.id = d.jobId
        WHERE (@rule::text IS NULL OR r.name = @rule) AND (@job::text IS NULL OR j.slug = @job) AND (@status::text IS NULL OR d.status = @status)
        -- Messages planned together (one batch) keep their events' order.
        ORDER BY d.createdAt DESC, d.eventId DESC NULLS FIRST, d.id DESC
        LIMIT @limit
        """;

    internal const string DeleteOld = """
        WITH deliveries AS (
            DELETE FROM cronAlertDelivery WHERE status <> 'pending' AND createdAt < @before RETURNING 1
        ), events AS (
            DELETE FROM cronAlertEvent e
            WHERE e.processedAt < @before AND NOT EXISTS (SELECT 1 FROM cronAlertDelivery d WHERE d.eventId = e.id AND d.status = 'pending')
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM events)
        """;
}
