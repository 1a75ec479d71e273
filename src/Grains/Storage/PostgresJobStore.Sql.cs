namespace Totallator.Grains.Storage;

public sealed partial class PostgresJobStore
{
    // Internal on purpose: the exact text of a statement is not a contract.
    internal const string JobColumns = """
        id, slug, name, description, schedule, timeZone, isEnabled, timeoutMs, maxRetries, misfirePolicy, misfireRunAllCap,
        source, isOrphaned, overriddenFields, invalidReason, lastScheduledFor, version, createdAt, updatedAt, createdBy, lastModifiedBy,
        after, jobType, parameters::text, deletedAt, deletedBy, failureStreak, pauseAfterFailures, pausedReason
        """;

    // The jobs that run after this one (see JobRecord.Downstreams), for a statement whose table is cronJob itself.
    // Only jobs that have upstreams can be a downstream: the partial index on them (0009) answers in well under a millisecond,
    // where the GIN index over every job's array took 180 ms per load at 100,000 jobs (measured on a bench database; that read,
    // once per activation, was what held a cluster start of 100,000 jobs to about 100 activations a second).
    internal const string DownstreamsColumn = """
        ARRAY(SELECT d.slug FROM cronJob d
              WHERE cardinality(d.after) > 0
                AND d.after && ARRAY[cronJob.slug || ':success', cronJob.slug || ':failure', cronJob.slug || ':completion']
              ORDER BY d.slug)
        """;

    internal const string ExecutionColumns = """
        id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, exitCode, output, errorMessage,
        stackTrace, triggeredBy, triggeredByUserId, retryCount, memoryUsageMb, cpuUsagePercent, itemsProcessed, metrics::text,
        statusReason, leaseOwner, leaseExpiresAt, upstreamExecutionIds
        """;

    internal const string SelectJobBySlug = $"SELECT {JobColumns} FROM cronJob WHERE slug = @slug";

    // The clock at the moment of reading, not the transaction's start (now()): ClockSync times the round trip around it.
    internal const string SelectClock = "SELECT clock_timestamp()";

    // A silo's check-in (0008_silo_check_in.sql): refused once the silo is declared dead or fenced. ON CONFLICT DO UPDATE
    // judges `fenced` on the row's latest version, locked, even when a fence committed after this statement's snapshot. The
    // check-in of a starting silo also deletes rows of silos gone a week.
    internal const string CheckIn = """
        WITH gone AS (
            DELETE FROM totallator_silo_check_in WHERE @starting AND lastSeen < now() - interval '7 days'
        )
        INSERT INTO totallator_silo_check_in AS c (owner, lastSeen)
        SELECT @owner, now() WHERE NOT totallator_silo_declared_dead(@owner)
        ON CONFLICT (owner) DO UPDATE SET lastSeen = EXCLUDED.lastSeen WHERE NOT c.fenced
        RETURNING c.lastSeen
        """;

    // Fences a silo the membership declared dead and, in the same statement, hands over its claims that it cannot have started
    // (instants past its last accepted check-in plus the start window); first attempts of scheduled occurrences only: a manual
    // trigger's or a retry's claim starts with no start window (it is the silo's to run or to end, never a survivor's). The fence writes the silo's row, so it waits for a
    // check-in in flight and reads the lastSeen that one wrote; a silo that never checked in gets a fenced row, and all its
    // claims are handed over. The hand-over re-checks each row it waited for: a start or an end recorded meanwhile keeps it.
    internal const string FenceDeadSilo = """
        WITH fence AS (
            INSERT INTO totallator_silo_check_in AS c (owner, lastSeen, fenced)
            SELECT @owner, '-infinity', true WHERE totallator_silo_declared_dead(@owner)
            ON CONFLICT (owner) DO UPDATE SET fenced = true
            RETURNING c.lastSeen
        ), handed AS (
            UPDATE cronJobExecution e SET leaseOwner = NULL, statusReason = @reason
            FROM fence f
            WHERE e.leaseOwner = @owner AND e.status = 'claimed' AND e.startedAt IS NULL AND e.occurrenceKey LIKE 's:%' AND e.retryCount = 0
              AND e.scheduledFor > f.lastSeen + @windowMs * interval '1 millisecond'
            RETURNING e.cronJobId
        )
        SELECT NULLIF(f.lastSeen, '-infinity'),
               (SELECT count(*) FROM handed),
               ARRAY(SELECT DISTINCT j.slug FROM cronJob j JOIN handed h ON h.cronJobId = j.id)
        FROM fence f
        """;

    internal const string SelectAllJobs = $"SELECT {JobColumns} FROM cronJob ORDER BY slug";

    // New jobs only; existing rows are compared and updated one by one under their version (see SyncDefinitionsAsync).
    // A definition's null field takes the global default from cronJobConfig (0005_admin.sql), and the built-in value if that
    // row is missing or was edited into something unreadable.
    internal const string NewJobDefaults = """
        defaults AS (
            SELECT
                COALESCE((SELECT value FROM cronJobConfig WHERE key = 'defaultTimeZone'), 'UTC') AS timeZone,
                COALESCE((SELECT value::integer FROM cronJobConfig WHERE key = 'defaultTimeoutMs' AND value ~ '^[0-9]{1,9}$' AND value::integer > 0), 60000) AS timeoutMs,
                COALESCE((SELECT value::integer FROM cronJobConfig WHERE key = 'defaultMaxRetries' AND value ~ '^[0-9]{1,3}$'), 0) AS maxRetries,
                COALESCE((SELECT value FROM cronJobConfig WHERE key = 'defaultMisfirePolicy' AND value IN ('run_once', 'skip', 'run_all')), 'run_once') AS misfirePolicy
        )
        """;

    internal const string InsertNewJobs = $$"""
        WITH {{NewJobDefaults}}
        INSERT INTO cronJob (id, slug, name, description, schedule, timeZone, isEnabled, timeoutMs, maxRetries, misfirePolicy,
                             misfireRunAllCap, source, lastScheduledFor, createdAt, updatedAt, createdBy, lastModifiedBy, after)
        SELECT d.id, d.slug, d.name, d.description, d.schedule, COALESCE(d.timeZone, x.timeZone), d.isEnabled,
               COALESCE(d.timeoutMs, x.timeoutMs), COALESCE(d.maxRetries, x.maxRetries), COALESCE(d.misfirePolicy, x.misfirePolicy),
               d.misfireRunAllCap, d.source, @now, @now, @now, @by, @by, COALESCE(string_to_array(NULLIF(d.after, ''), ','), '{}')
        FROM defaults x, unnest(@ids::uuid[], @slugs::text[], @names::text[], @descriptions::text[], @schedules::text[], @timeZones::text[],
                    @enabled::boolean[], @timeouts::integer[], @retries::integer[], @policies::text[], @caps::integer[], @sources::text[],
                    @afters::text[])
             AS d(id, slug, name, description, schedule, timeZone, isEnabled, timeoutMs, maxRetries, misfirePolicy, misfireRunAllCap, source,
                  after)
        ON CONFLICT (slug) DO NOTHING
        """;

    internal const string UpdateSyncedJob = """
        UPDATE cronJob
        SET name = @name, description = @description, schedule = @schedule, timeZone = @timeZone, isEnabled = @isEnabled,
            timeoutMs = @timeoutMs, maxRetries = @maxRetries, misfirePolicy = @misfirePolicy, misfireRunAllCap = @misfireRunAllCap,
            source = @source, isOrphaned = false, lastScheduledFor = @lastScheduledFor, after = @after,
            version = version + 1, updatedAt = @now, lastModifiedBy = @by
        WHERE id = @id AND version = @version
        """;

    internal const string MarkOrphans = """
        UPDATE cronJob SET isOrphaned = true, version = version + 1, updatedAt = @now, lastModifiedBy = @by
        WHERE NOT isOrphaned AND source <> 'api' AND slug <> ALL(@slugs::text[])
        """;

    // Locks and reads the row, updates it and writes the audit row in one statement: the audit row exists exactly when the
    // update does. A stale expectedVersion matches no row, so neither happens. Old and new values are jsonb objects of the
    // fields named in the update (@fields), keyed by their camelCase names; misfirePolicy as its stored text.
    internal const string UpdateJob = $"""
        WITH old AS (
            SELECT id AS oldId, schedule AS oldSchedule, timeZone AS oldTimeZone, timeoutMs AS oldTimeoutMs, maxRetries AS oldMaxRetries,
                   misfirePolicy AS oldMisfirePolicy, isEnabled AS oldIsEnabled, after AS oldAfter, name AS oldName,
                   description AS oldDescription, pauseAfterFailures AS oldPauseAfterFailures
            FROM cronJob
            WHERE slug = @slug AND (@expectedVersion::integer IS NULL OR version = @expectedVersion)
            FOR UPDATE
        ), upd AS (
            UPDATE cronJob
            SET schedule = COALESCE(@schedule, schedule),
                timeZone = COALESCE(@timeZone, timeZone),
                timeoutMs = COALESCE(@timeoutMs, timeoutMs),
                maxRetries = COALESCE(@maxRetries, maxRetries),
                misfirePolicy = COALESCE(@misfirePolicy, misfirePolicy),
                isEnabled = COALESCE(@isEnabled, isEnabled),
                after = COALESCE(@after::text[], after),
                name = COALESCE(@name, name),
                description = COALESCE(@description, description),
                parameters = COALESCE(@parameters::jsonb, parameters),
                pauseAfterFailures = CASE WHEN @pauseAfterFailures::integer IS NULL THEN pauseAfterFailures
                                          ELSE NULLIF(@pauseAfterFailures::integer, 0) END,
                -- Enabling closes the circuit breaker: the streak starts again from nothing.
                pausedReason = CASE WHEN @isEnabled THEN NULL ELSE COALESCE(@pausedReason, pausedReason) END,
                failureStreak = CASE WHEN @isEnabled AND NOT isEnabled THEN 0 ELSE failureStreak END,
                -- A job created from a job type has no definition for an admin's values to win over.
                overriddenFields = CASE WHEN source = 'api' THEN overriddenFields
                                        ELSE ARRAY(SELECT DISTINCT f FROM unnest(overriddenFields || @overridden::text[]) AS f ORDER BY f) END,
                lastScheduledFor = COALESCE(@resetLastScheduledFor, lastScheduledFor),
                invalidReason = CASE WHEN @schedule IS NULL AND @timeZone IS NULL THEN invalidReason END,
                version = version + 1, updatedAt = @now, lastModifiedBy = @by
            FROM old
            WHERE id = old.oldId
            RETURNING {JobColumns}
        ), audit AS (
            INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
            SELECT @auditId, @now, @by, @auditAction, u.slug, NULL,
                   (SELECT jsonb_object_agg(f, CASE f WHEN 'schedule' THEN to_jsonb(o.oldSchedule) WHEN 'timeZone' THEN to_jsonb(o.oldTimeZone)
                                                      WHEN 'timeoutMs' THEN to_jsonb(o.oldTimeoutMs) WHEN 'maxRetries' THEN to_jsonb(o.oldMaxRetries)
                                                      WHEN 'misfirePolicy' THEN to_jsonb(o.oldMisfirePolicy) WHEN 'isEnabled' THEN to_jsonb(o.oldIsEnabled)
                                                      WHEN 'after' THEN to_jsonb(o.oldAfter) WHEN 'name' THEN to_jsonb(o.oldName)
                                                      WHEN 'description' THEN to_jsonb(o.oldDescription)
                                                      WHEN 'pauseAfterFailures' THEN to_jsonb(o.oldPauseAfterFailures)
                                                      WHEN 'parameters' THEN @oldParameters::jsonb END)
                    FROM unnest(@fields::text[]) AS f),
                   (SELECT jsonb_object_agg(f, CASE f WHEN 'schedule' THEN to_jsonb(u.schedule) WHEN 'timeZone' THEN to_jsonb(u.timeZone)
                                                      WHEN 'timeoutMs' THEN to_jsonb(u.timeoutMs) WHEN 'maxRetries' THEN to_jsonb(u.maxRetries)
                                                      WHEN 'misfirePolicy' THEN to_jsonb(u.misfirePolicy) WHEN 'isEnabled' THEN to_jsonb(u.isEnabled)
                                                      WHEN 'after' THEN to_jsonb(u.after) WHEN 'name' THEN to_jsonb(u.name)
                                                      WHEN 'description' THEN to_jsonb(u.description)
                                                      WHEN 'pauseAfterFailures' THEN to_jsonb(u.pauseAfterFailures)
                                                      WHEN 'parameters' THEN @newParameters::jsonb END)
                   || CASE WHEN @pausedReason IS NULL THEN jsonb_build_object() ELSE jsonb_build_object('pausedReason', u.pausedReason) END
                    FROM unnest(@fields::text[]) AS f),
                   @requestId
            FROM upd u CROSS JOIN old o
        ), paused AS (
            INSERT INTO cronAlertEvent (jobId, kind, detail, occurredAt)
            SELECT u.id, 'paused', u.pausedReason, @now FROM upd u WHERE @pausedReason IS NOT NULL AND {AlertsOn}
        )
        SELECT {JobColumns} FROM upd
        """;

    internal const string SelectJobVersion = "SELECT version FROM cronJob WHERE slug = @slug";

    internal const string SetInvalidReason = """
        UPDATE cronJob SET invalidReason = @reason WHERE id = @id AND invalidReason IS DISTINCT FROM @reason
        """;

    // The fence: one row per (job, occurrence, attempt). A second claimant inserts nothing and is not returned. Many claims
    // go in one statement (see ExecutionWriteBatcher); duplicates inside one batch are skipped the same way.
    internal const string ClaimExecutions = """
        WITH given AS (
            SELECT * FROM unnest(@ids::uuid[], @jobIds::uuid[], @keys::text[], @scheduledFor::timestamptz[], @startedAt::timestamptz[],
                                 @triggeredBy::text[], @userIds::text[], @retryCounts::integer[], @reasons::text[], @leaseOwners::text[],
                                 @leaseMs::float8[], @advances::boolean[], @jobVersions::integer[])
                AS u(id, jobId, occurrenceKey, scheduledFor, startedAt, triggeredBy, userId, retryCount, reason, leaseOwner, leaseMs, advances, jobVersion)
        ), input AS (
            -- A claim by a silo the membership has declared dead is refused, as if held (0007_dead_silo_fence.sql): an evicted
            -- silo that has not learnt it yet would otherwise go on claiming for seconds beside the survivors.
            -- Asked once per silo in the batch (they are all one silo's), not once per row.
            SELECT g.*, d.ownerDead
            FROM given g
            JOIN (SELECT owner, totallator_silo_declared_dead(owner) AS ownerDead
                  FROM (SELECT DISTINCT leaseOwner AS owner FROM given) o) d ON d.owner IS NOT DISTINCT FROM g.leaseOwner
        ), claim AS (
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, status, triggeredBy,
                                          triggeredByUserId, retryCount, statusReason, leaseOwner, leaseExpiresAt)
            -- No start time yet: claimed ahead of its instant (see 0003_claim_ahead.sql).
            -- Planned on a job version that is no longer the job's: refused, as if held (ExecutionClaim.JobVersion).
            SELECT id, jobId, occurrenceKey, scheduledFor, startedAt, CASE WHEN startedAt IS NULL THEN 'claimed' ELSE 'running' END,
                   triggeredBy, userId, retryCount, reason, leaseOwner,
                   now() + leaseMs * interval '1 millisecond'
            FROM input i
            WHERE NOT i.ownerDead
              AND (i.jobVersion IS NULL OR EXISTS (SELECT 1 FROM cronJob j WHERE j.id = i.jobId AND j.version = i.jobVersion))
            ON CONFLICT (cronJobId, occurrenceKey, retryCount, scheduledFor) DO NOTHING
            RETURNING id, cronJobId, scheduledFor
        ), taken AS (
            -- An occurrence whose claim was given back (handed over: claimed, no owner) goes to whoever claims it next, under
            -- the new claim's id (0006_released_claims.sql). Fenced by the job version like an insert.
            UPDATE cronJobExecution e
            SET id = i.id, leaseOwner = i.leaseOwner, startedAt = i.startedAt, triggeredBy = i.triggeredBy, statusReason = i.reason,
                status = CASE WHEN i.startedAt IS NULL THEN 'claimed' ELSE 'running' END,
                leaseExpiresAt = now() + i.leaseMs * interval '1 millisecond'
            FROM input i
            WHERE e.cronJobId = i.jobId AND e.occurrenceKey = i.occurrenceKey AND e.retryCount = i.retryCount
              AND e.status = 'claimed' AND e.leaseOwner IS NULL AND e.id <> i.id AND NOT i.ownerDead
              AND (i.jobVersion IS NULL OR EXISTS (SELECT 1 FROM cronJob j WHERE j.id = i.jobId AND j.version = i.jobVersion))
            RETURNING e.id, e.cronJobId, e.scheduledFor
        ), jobLocks AS (
            -- The jobs' rows are locked in id order before any is updated (see JobLockOrder at SetHosts).
            SELECT j.id FROM cronJob j WHERE j.id IN (SELECT jobId FROM input WHERE advances) ORDER BY j.id FOR NO KEY UPDATE
        ), advance AS (
            UPDATE cronJob j SET lastScheduledFor = m.latest
            FROM (SELECT c.cronJobId, max(c.scheduledFor) AS latest
                  FROM (SELECT id, cronJobId, scheduledFor FROM claim UNION ALL SELECT id, cronJobId, scheduledFor FROM taken) c
                  JOIN input i ON i.id = c.id
                  WHERE i.advances
                  GROUP BY c.cronJobId) m, jobLocks l
            WHERE j.id = m.cronJobId AND l.id = j.id AND (j.lastScheduledFor IS NULL OR j.lastScheduledFor < m.latest)
        ), mine AS (
            -- A claim asked again by its claimant, whose first reply was lost after the commit: the row is its own while it is
            -- still active and still held by it (not handed over: 0008), and takes the start and lease this claim brings. This sees only rows committed before the
            -- statement, never those inserted above; a row that has ended stays as it is (the claim loses).
            UPDATE cronJobExecution e
            SET startedAt = COALESCE(e.startedAt, i.startedAt),
                status = CASE WHEN e.status = 'claimed' AND i.startedAt IS NOT NULL THEN 'running' ELSE e.status END,
                leaseExpiresAt = GREATEST(e.leaseExpiresAt, now() + i.leaseMs * interval '1 millisecond')
            FROM input i
            WHERE e.id = i.id AND e.status IN ('claimed', 'running') AND e.leaseOwner = i.leaseOwner AND NOT i.ownerDead
            RETURNING e.id
        )
        SELECT id, NULL FROM claim
        UNION ALL
        SELECT id, NULL FROM taken
        UNION ALL
        SELECT id, NULL FROM mine
        UNION ALL
        -- A claimant declared dead: a row without an id says so (the store refuses that silo, see DeclaredDead).
        (SELECT NULL::uuid, leaseOwner FROM input WHERE ownerDead LIMIT 1)
        """;

    // Rows that do not advance (UnrunOccurrence.AdvancesSchedule) are inserted but leave lastScheduledFor where it is. Rows
    // planned on a job version that is no longer the job's are not inserted; the answer says whether every row was current.
    internal const string RecordUnrun = $"""
        WITH input AS (
            SELECT * FROM unnest(@ids::uuid[], @jobIds::uuid[], @keys::text[], @scheduledFor::timestamptz[], @recordedAt::timestamptz[],
                                 @statuses::text[], @reasons::text[], @advances::boolean[], @jobVersions::integer[], @recordedBy::text[])
                AS u(id, jobId, occurrenceKey, scheduledFor, recordedAt, status, reason, advances, jobVersion, recordedBy)
        ), dead AS (
            -- A recorder the membership declared dead records nothing (0007): it would move the schedule past occurrences
            -- it believed held, which the survivors then never plan (found by the simulation).
            SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT recordedBy FROM input) o WHERE totallator_silo_declared_dead(o.recordedBy)) AS anyDead
        ), current AS (
            SELECT i.* FROM input i, dead d
            WHERE NOT d.anyDead
              AND (i.jobVersion IS NULL OR EXISTS (SELECT 1 FROM cronJob j WHERE j.id = i.jobId AND j.version = i.jobVersion))
        ), ins AS (
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, completedAt, status, triggeredBy, retryCount,
                                          statusReason)
            SELECT id, jobId, occurrenceKey, scheduledFor, recordedAt, status, 'scheduler', 0, reason
            FROM current
            -- The recorder's own claim whose reply was lost (same id, never started): it ends as recorded instead of being left
            -- to expire as abandoned. Anyone else's row stays as it is.
            ON CONFLICT (cronJobId, occurrenceKey, retryCount, scheduledFor) DO UPDATE
                SET status = EXCLUDED.status, completedAt = EXCLUDED.completedAt, statusReason = EXCLUDED.statusReason, startedAt = NULL
                WHERE cronJobExecution.id = EXCLUDED.id AND cronJobExecution.status IN ('claimed', 'running')
            RETURNING id, cronJobId, occurrenceKey, scheduledFor, retryCount, status, startedAt, completedAt, durationMs, statusReason, triggeredBy
        ), statEnds AS (
            SELECT * FROM ins
        ), {CountStats}, missedAlerts AS (
            INSERT INTO cronAlertEvent (jobId, executionId, kind, occurredAt)
            SELECT cronJobId, id, 'missed', completedAt FROM ins WHERE status = 'missed' AND {AlertsOn}
            ON CONFLICT (executionId, kind) WHERE executionId IS NOT NULL DO NOTHING
        ), jobLocks AS (
            SELECT j.id FROM cronJob j WHERE j.id IN (SELECT jobId FROM current WHERE advances) ORDER BY j.id FOR NO KEY UPDATE
        ), advance AS (
            UPDATE cronJob j SET lastScheduledFor = m.latest
            FROM (SELECT i.cronJobId, max(i.scheduledFor) AS latest
                  FROM ins i JOIN current c ON c.id = i.id
                  WHERE c.advances GROUP BY i.cronJobId) m, jobLocks l
            WHERE j.id = m.cronJobId AND l.id = j.id AND (j.lastScheduledFor IS NULL OR j.lastScheduledFor < m.latest)
        )
        SELECT (SELECT anyDead FROM dead), ARRAY(SELECT id FROM current)
        """;

    // History is partitioned by scheduledFor (0015): rows named by id alone would be looked for in every partition's index. The
    // writer's span of the rows' instants (ScheduledSpan, parameters spanFrom and spanTo; null for unknown) prunes the rest at
    // executor start-up, also in a generic plan; the joins after the lock name (id, scheduledFor), pruned per row.
    internal const string WithinSpan =
        "scheduledFor >= COALESCE(@spanFrom::timestamptz, '-infinity') AND scheduledFor <= COALESCE(@spanTo::timestamptz, 'infinity')";

    // Only a running row ends, or one the sweeper judged abandoned because its lease expired while the run went on (its silo
    // could not renew it, e.g. through a database outage): the run's own end is the truth, and only its runner knows the
    // execution id. A row abandoned for any other reason (a shutdown) keeps that state.
    // Every statement that updates many execution rows locks them first in id order (the CTE with ORDER BY id FOR UPDATE).
    // Without it, a batch of completions, a lease renewal and a batch of starts touching the same rows in different orders
    // deadlocked under load (n10000: 2,000 deadlock retries in a 30 s window).
    // A final attempt's end (ExecutionCompletion.Final) signals the job's downstream jobs in the same statement (0009).
    internal const string CompleteExecutions = $"""
        WITH locked AS (
            SELECT id, scheduledFor, status AS was FROM cronJobExecution
            WHERE id = ANY(@ids::uuid[]) AND {WithinSpan} AND (status IN ('running', 'claimed') OR status = 'abandoned' AND statusReason = 'lease-expired')
            ORDER BY id FOR UPDATE
        ), done AS (
        UPDATE cronJobExecution e
        SET status = u.status, completedAt = u.completedAt, durationMs = u.durationMs, exitCode = u.exitCode, output = u.output,
            errorMessage = u.errorMessage, stackTrace = u.stackTrace, memoryUsageMb = u.memoryUsageMb,
            cpuUsagePercent = u.cpuUsagePercent, itemsProcessed = u.itemsProcessed, metrics = u.metrics::jsonb,
            statusReason = CASE WHEN e.status = 'abandoned'
                                THEN 'lease-lost: recorded abandoned at ' || to_char(e.completedAt AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                                     || ' while it still ran (its silo could not renew the lease); this is its real end' || COALESCE('; ' || u.reason, '')
                                ELSE COALESCE(u.reason, e.statusReason) END,
            -- A claim that ends without running (skipped, missed) never started, whatever its row said (a manual trigger's
            -- row is inserted with its start, which never came if the trigger's answer was lost).
            startedAt = CASE WHEN u.status IN ('skipped', 'missed') THEN NULL ELSE COALESCE(u.startedAt, e.startedAt) END
        FROM unnest(@ids::uuid[], @statuses::text[], @startedAt::timestamptz[], @completedAt::timestamptz[], @durations::bigint[], @exitCodes::integer[],
                    @outputs::text[], @errors::text[], @stackTraces::text[], @memory::float8[], @cpu::float8[], @items::bigint[],
                    @metrics::text[], @reasons::text[], @heldBy::text[], @final::boolean[])
             AS u(id, status, startedAt, completedAt, durationMs, exitCode, output, errorMessage, stackTrace, memoryUsageMb, cpuUsagePercent,
                  itemsProcessed, metrics, reason, heldBy, final),
             locked l
        WHERE e.id = u.id AND l.id = e.id AND e.scheduledFor = l.scheduledFor AND (u.heldBy IS NULL OR e.leaseOwner = u.heldBy)
        RETURNING e.id, e.cronJobId, e.occurrenceKey, e.status, e.completedAt, u.final, l.was, e.scheduledFor, e.retryCount, e.startedAt,
                  e.durationMs, e.statusReason, e.triggeredBy
        ), ended AS (
            SELECT id, cronJobId, occurrenceKey, status, completedAt, was FROM done WHERE final
        ), counted AS (
            -- A row the sweeper had recorded abandoned counted as a failure then (AbandonExpired): its real end counts only
            -- if it is a success.
            SELECT * FROM ended WHERE was <> 'abandoned' OR status = 'succeeded'
        ), statEnds AS (
            -- Every attempt ended here, final or not (a retry's failure counts as the history shows it). A row the sweeper had
            -- recorded abandoned was counted then: its real end does not count again.
            SELECT * FROM done WHERE was <> 'abandoned'
        ), {SignalEnded}, {CountEnded}, {CountStats}, missedAlerts AS (
            INSERT INTO cronAlertEvent (jobId, executionId, kind, occurredAt)
            SELECT cronJobId, id, 'missed', completedAt FROM done WHERE status = 'missed' AND {AlertsOn}
            ON CONFLICT (executionId, kind) WHERE executionId IS NOT NULL DO NOTHING
        )
        SELECT id FROM done
        """;

    internal const string RenewLeases = $"""
        WITH locked AS (
            SELECT id, scheduledFor FROM cronJobExecution WHERE id = ANY(@ids::uuid[]) AND {WithinSpan} AND status IN ('running', 'claimed')
            ORDER BY id FOR UPDATE
        )
        UPDATE cronJobExecution e SET leaseExpiresAt = now() + @leaseMs * interval '1 millisecond'
        FROM locked l
        WHERE e.id = l.id AND e.scheduledFor = l.scheduledFor
        """;

    // JobLockOrder: every statement that updates many cronJob rows locks them in id order first. A batch of claims advancing
    // lastScheduledFor and a batch of host records (or of unrun rows) touching the same jobs in different orders deadlocked
    // (seen at a 10,000-job start-up and in the fault suite's rolling restart).
    internal const string SetHosts = """
        WITH locked AS (
            SELECT id FROM cronJob WHERE id = ANY(@jobIds::uuid[]) ORDER BY id FOR NO KEY UPDATE
        )
        UPDATE cronJob j SET hostSilo = u.silo
        FROM unnest(@jobIds::uuid[], @silos::text[]) AS u(id, silo), locked l
        WHERE j.id = u.id AND l.id = j.id
        RETURNING j.id
        """;

    internal const string TakeJobsHostedBy = """
        UPDATE cronJob SET hostSilo = NULL WHERE hostSilo = @silo RETURNING slug
        """;

    internal const string MarkStarted = $"""
        WITH locked AS (
            SELECT id, scheduledFor FROM cronJobExecution WHERE id = ANY(@ids::uuid[]) AND {WithinSpan} AND status = 'claimed' ORDER BY id FOR UPDATE
        )
        UPDATE cronJobExecution e
        SET status = 'running', startedAt = u.startedAt, leaseExpiresAt = now() + u.leaseMs * interval '1 millisecond'
        FROM unnest(@ids::uuid[], @startedAt::timestamptz[], @leaseMs::float8[]) AS u(id, startedAt, leaseMs), locked l
        WHERE e.id = u.id AND l.id = e.id AND e.scheduledFor = l.scheduledFor AND e.status = 'claimed'
        RETURNING e.id
        """;

    // A claim not yet started goes: withdrawn (removed) when the occurrence is no longer the job's (disabled, or a schedule that
    // does not fire then), else handed over (leaseOwner NULL), because another activation may have planned past it: the job's
    // next activation takes it over when it loads the job, or whoever claims the occurrence next (0006_released_claims.sql).
    // Only by the silo that holds it: a claim handed over and taken over since (its silo declared dead meanwhile, 0008) keeps
    // its id under its new owner, and the old activation's release must not give that one away (found by the simulation).
    internal const string ReleaseClaim = $"""
        WITH target AS (
            SELECT id, scheduledFor FROM cronJobExecution WHERE id = @id AND {WithinSpan} AND status = 'claimed' AND leaseOwner = @owner FOR UPDATE
        ), gone AS (
            DELETE FROM cronJobExecution e USING target t WHERE e.id = t.id AND e.scheduledFor = t.scheduledFor AND @withdraw
            RETURNING e.id
        ), signalsGone AS (
            -- What ON DELETE CASCADE did until 0015 dropped the foreign key: the signals the row consumed go with it.
            DELETE FROM cronJobSignal s USING gone g WHERE s.consumedBy = g.id
        ), handed AS (
            UPDATE cronJobExecution e SET leaseOwner = NULL, statusReason = @reason
            FROM target t WHERE e.id = t.id AND e.scheduledFor = t.scheduledFor AND NOT @withdraw
            RETURNING e.id
        )
        SELECT (SELECT count(*) FROM gone), (SELECT count(*) FROM handed)
        """;

    // The job and, in the same round trip, the claims handed over to its next activation, taken by this one. Only occurrences
    // the schedule was planned through: a later one is planned again by the activation itself.
    internal const string LoadJob = $"""
        SELECT {JobColumns}, {DownstreamsColumn} FROM cronJob WHERE slug = @slug;
        UPDATE cronJobExecution e
        SET leaseOwner = @owner, leaseExpiresAt = GREATEST(e.leaseExpiresAt, now() + @leaseMs * interval '1 millisecond'), statusReason = NULL
        FROM cronJob j
        WHERE j.slug = @slug AND e.cronJobId = j.id AND e.status = 'claimed' AND e.leaseOwner IS NULL AND e.scheduledFor <= j.lastScheduledFor
          AND NOT totallator_silo_declared_dead(@owner)
        RETURNING e.id, e.cronJobId, e.occurrenceKey, e.scheduledFor, e.startedAt, e.completedAt, e.durationMs, e.status, e.exitCode,
                  e.output, e.errorMessage, e.stackTrace, e.triggeredBy, e.triggeredByUserId, e.retryCount, e.memoryUsageMb,
                  e.cpuUsagePercent, e.itemsProcessed, e.metrics::text, e.statusReason, e.leaseOwner, e.leaseExpiresAt;
        SELECT o.id, o.runAt, o.timeZone, o.note, o.createdAt, o.createdBy, o.cancelledAt, o.cancelledBy, o.executionId
        FROM cronJobOneOff o JOIN cronJob j ON j.id = o.cronJobId
        WHERE j.slug = @slug AND o.cancelledAt IS NULL AND o.executionId IS NULL
        ORDER BY o.runAt LIMIT 100;
        SELECT (SELECT r.period FROM orleansremindertable r WHERE r.serviceid = @serviceId AND r.grainid = @grainId AND r.remindername = @reminder)
        WHERE @serviceId::text IS NOT NULL
        """;

    // The start-up sync's heartbeats, as orleans_reminder_upsert (0001) would insert them, for grains without a reminder row: a
    // wake-up or heartbeat already there is left alone. The first ticks are spread over the second period by the grain's hash
    // (uniform over int): 100,000 heartbeats written with one start time all ticked in the same second five minutes later
    // and exhausted the silo's connections (bench n100000). Jobs are awake meanwhile, so none is due before a full period.
    internal const string WriteHeartbeats = """
        INSERT INTO orleansremindertable (serviceid, grainid, remindername, starttime, period, grainhash, version)
        SELECT @serviceId, g.id, @reminder,
               now() + @periodMs * (1 + (g.hash::bigint + 2147483648) / 4294967296.0) * interval '1 millisecond', @periodMs, g.hash, 0
        FROM unnest(@grainIds::text[], @hashes::int[]) AS g(id, hash)
        ON CONFLICT (serviceid, grainid, remindername) DO NOTHING
        """;

    // Judged by the database clock only: a silo with a skewed clock can neither keep nor lose a lease early. A claim handed over
    // (leaseOwner NULL) that no activation took over never started: it is recorded missed, not abandoned.
    // An attempt recorded abandoned is final (its silo, which would retry it, is gone): it signals downstream jobs whose
    // condition it meets (0009). Should its real end arrive later, that signal stands and the end signals nothing more.
    internal const string AbandonExpired = $"""
        WITH expired AS (
            SELECT id, scheduledFor FROM cronJobExecution WHERE status IN ('running', 'claimed') AND leaseExpiresAt < now() ORDER BY id FOR UPDATE
        ), swept AS (
        UPDATE cronJobExecution e
        SET status = CASE WHEN e.leaseOwner IS NULL AND e.status = 'claimed' THEN 'missed' ELSE 'abandoned' END,
            completedAt = now(),
            durationMs = CASE WHEN startedAt IS NULL THEN NULL ELSE GREATEST(0, (extract(epoch FROM now() - startedAt) * 1000)::bigint) END,
            errorMessage = CASE WHEN e.leaseOwner IS NULL AND e.status = 'claimed' THEN NULL
                           ELSE 'Abandoned: silo ' || leaseOwner
                                || CASE WHEN e.status = 'claimed' THEN ' claimed this occurrence, then stopped renewing the lease before its start was recorded (it died or hung; a run under RunningRecordDelay may have begun); expired at '
                                        ELSE ' stopped renewing the lease (it died or hung); expired at ' END
                                || to_char(leaseExpiresAt AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
            statusReason = CASE WHEN e.leaseOwner IS NULL AND e.status = 'claimed'
                           THEN 'released, not taken over: ' || COALESCE(e.statusReason, 'its activation gave it back')
                                || '; no activation of the job took it over before '
                                || to_char(leaseExpiresAt AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                           ELSE 'lease-expired' END
        FROM expired x
        WHERE e.id = x.id AND e.scheduledFor = x.scheduledFor AND e.status IN ('running', 'claimed') AND e.leaseExpiresAt < now()
        RETURNING e.id, e.cronJobId, e.occurrenceKey, e.status, e.completedAt, e.scheduledFor, e.retryCount, e.startedAt, e.durationMs,
                  e.statusReason, e.triggeredBy
        ), ended AS (
            SELECT id, cronJobId, occurrenceKey, status, completedAt FROM swept WHERE status = 'abandoned'
        ), counted AS (
            SELECT * FROM ended
        ), statEnds AS (
            SELECT * FROM swept
        ), {SignalEnded}, {CountEnded}, {CountStats}, missedAlerts AS (
            INSERT INTO cronAlertEvent (jobId, executionId, kind, occurredAt)
            SELECT cronJobId, id, 'missed', completedAt FROM swept WHERE status = 'missed' AND {AlertsOn}
            ON CONFLICT (executionId, kind) WHERE executionId IS NOT NULL DO NOTHING
        )
        SELECT count(*) FROM swept
        """;

    internal const string SelectExecutionsOfJob = $"""
        SELECT {ExecutionColumns} FROM cronJobExecution WHERE cronJobId = @jobId
        ORDER BY scheduledFor DESC, retryCount DESC LIMIT @limit
        """;

    internal const string SelectExecution = $"SELECT {ExecutionColumns} FROM cronJobExecution WHERE id = @id";

    // The row lock on the key serialises silos starting together; only the first one's update matches.
    internal const string BeginWakePass = """
        INSERT INTO cronJobConfig (key, value, updatedAt, updatedBy) VALUES ('lastWakePassAt', @now::text, now(), @silo)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updatedAt = EXCLUDED.updatedAt, updatedBy = EXCLUDED.updatedBy
        WHERE cronJobConfig.value::timestamptz < @cutoff OR NOT (cronJobConfig.updatedBy = ANY (@active))
        RETURNING 1
        """;

    internal const string SelectConfigValue = "SELECT value FROM cronJobConfig WHERE key = @key";
}
