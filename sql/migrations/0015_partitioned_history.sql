-- 0015: cronJobExecution partitioned by scheduledFor, one partition per UTC day, so the history cleanup drops whole days
-- instead of deleting row by row (at 1,000 fires a minute, 30 days of retention are 43 M rows; docs/ledger.md, "Partitions").
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header). It moves the existing table in its own
-- transaction: every row is copied into the partitioned table, then the old table is dropped; a failure rolls all back.
-- What the C# code depends on (PostgresJobStore, PostgresAdminStore, HistoryPartitions):
--   * the fence is UNIQUE (cronJobId, occurrenceKey, retryCount, scheduledFor), named cronjobexecution_occurrence_fence: a
--     unique constraint of a partitioned table must hold its partition key. It is as strong as the old one because every
--     attempt of one (job, occurrenceKey) carries the same scheduledFor (the proof, key kind by key kind: docs/ledger.md).
--     Every ON CONFLICT names these four columns;
--   * the primary key is (id, scheduledFor); id alone is still unique in practice (a fresh UUIDv7 per attempt) and a lookup
--     by id alone probes each partition's index;
--   * partitions are named cronjobexecution_pYYYYMMDD and hold [that UTC midnight, the next); totallator_history_partitions
--     creates missing ones (the cluster calls it at start-up and hourly, one silo at a time, for today through
--     Cron:History:PartitionDaysAhead days ahead, 2 by default). cronjobexecution_default takes any row whose day has no partition
--     (misfire rows far in the past, one-off runs far ahead, clock skew), so no insert ever fails for lack of one; when a
--     day's partition is created later, its rows move out of the default in the same transaction;
--   * the history cleanup drops a day's partition only when every row in it is one the row-by-row cleanup would delete
--     (ended, completedAt before the cutoff), checked under a lock: the rows deleted are exactly those of before, so the
--     roll-ups' rule (never recompute a bucket the cleanup cut into, 0014) holds unchanged;
--   * cronJobSignal.consumedBy no longer references cronJobExecution(id): a foreign key to a partitioned table must name
--     the whole key, and a dropped partition would not cascade anyway. The statements that delete executions (the cleanup,
--     a withdrawn claim, a dropped partition) delete the signals those executions consumed, as ON DELETE CASCADE did.

ALTER TABLE cronJobSignal DROP CONSTRAINT IF EXISTS cronjobsignal_consumedby_fkey;

ALTER TABLE cronJobExecution RENAME TO cronJobExecution_0014;
-- Index names are per schema: the old table's would collide with the new ones. Its indexes are not needed for the copy.
DROP INDEX IF EXISTS cronjobexecution_job_scheduled_idx, cronjobexecution_active_lease_idx, cronjobexecution_completed_idx,
    cronjobexecution_running_job_idx, cronjobexecution_released_idx;
ALTER TABLE cronJobExecution_0014 DROP CONSTRAINT IF EXISTS cronjobexecution_occurrence_attempt_unique;
ALTER TABLE cronJobExecution_0014 DROP CONSTRAINT IF EXISTS cronjobexecution_pkey;

CREATE TABLE cronJobExecution
(
    id                   uuid             NOT NULL,
    cronJobId            uuid             NOT NULL,
    occurrenceKey        text             NOT NULL,
    scheduledFor         timestamptz      NOT NULL,
    startedAt            timestamptz      NULL,
    completedAt          timestamptz      NULL,
    durationMs           bigint           NULL,
    status               text             NOT NULL,
    exitCode             integer          NULL,
    output               text             NULL,
    errorMessage         text             NULL,
    stackTrace           text             NULL,
    triggeredBy          text             NOT NULL,
    triggeredByUserId    text             NULL,
    retryCount           integer          NOT NULL DEFAULT 0,
    memoryUsageMb        double precision NULL,
    cpuUsagePercent      double precision NULL,
    itemsProcessed       bigint           NULL,
    metrics              jsonb            NULL,
    statusReason         text             NULL,
    leaseOwner           text             NULL,
    leaseExpiresAt       timestamptz      NULL,
    upstreamExecutionIds uuid[]           NULL,
    CONSTRAINT cronjobexecution_retrycount_check CHECK (retryCount >= 0),
    CONSTRAINT cronjobexecution_status_check CHECK (status IN
        ('claimed', 'running', 'succeeded', 'failed', 'timed_out', 'skipped', 'missed', 'abandoned')),
    CONSTRAINT cronjobexecution_triggeredby_check
        CHECK (triggeredBy IN ('scheduler', 'manual', 'retry', 'catch-up', 'dependency', 'one-off')),
    CONSTRAINT cronjobexecution_running_has_lease CHECK (status NOT IN ('running', 'claimed') OR leaseExpiresAt IS NOT NULL)
) PARTITION BY RANGE (scheduledFor);

CREATE TABLE cronjobexecution_default PARTITION OF cronJobExecution DEFAULT;

-- Creates the missing daily partitions of [fromDay, toDay), moving any of their rows out of the default partition first
-- (a partition cannot be attached while the default holds rows of its range). Returns how many it created. Each is a
-- standalone table attached afterwards: ATTACH takes only SHARE UPDATE EXCLUSIVE on cronJobExecution, where CREATE TABLE
-- ... PARTITION OF would take ACCESS EXCLUSIVE and stall every claim meanwhile. Callers serialize on an advisory lock.
CREATE OR REPLACE FUNCTION totallator_history_partitions(fromDay date, toDay date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    d       date;
    part    text;
    lo      timestamptz;
    hi      timestamptz;
    created integer := 0;
BEGIN
    FOR d IN SELECT g::date FROM generate_series(fromDay, toDay - 1, interval '1 day') AS g LOOP
        part := 'cronjobexecution_p' || to_char(d, 'YYYYMMDD');
        CONTINUE WHEN to_regclass(part) IS NOT NULL;
        lo := d::timestamp AT TIME ZONE 'UTC';
        hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
        EXECUTE format('CREATE TABLE %I (LIKE cronJobExecution INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        -- The range as a constraint, so ATTACH needs no scan of the new table to prove it.
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (scheduledFor >= %L AND scheduledFor < %L)', part, part || '_range', lo, hi);
        EXECUTE format('WITH moved AS (DELETE FROM cronjobexecution_default WHERE scheduledFor >= $1 AND scheduledFor < $2 RETURNING *) '
                       'INSERT INTO %I SELECT * FROM moved', part) USING lo, hi;
        EXECUTE format('ALTER TABLE cronJobExecution ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_range');
        created := created + 1;
    END LOOP;
    RETURN created;
END
$$;

-- A partition for each day that has rows within the days the history keeps (historyRetentionDays, 30 unless set; at most
-- 400), and for today through two days ahead (the cluster keeps that horizon ahead from then on). Rows of other days go
-- to the default partition, from which the cleanup deletes them row by row once they are old enough.
DO $$
DECLARE
    keep integer := LEAST(COALESCE((SELECT CASE WHEN value ~ '^[0-9]{1,4}$' THEN value::int END
                                    FROM cronJobConfig WHERE key = 'historyRetentionDays'), 30), 400);
    today date := (now() AT TIME ZONE 'UTC')::date;
    d date;
BEGIN
    FOR d IN SELECT DISTINCT (scheduledFor AT TIME ZONE 'UTC')::date FROM cronJobExecution_0014 LOOP
        IF d >= today - keep - 1 AND d < today + 3 THEN
            PERFORM totallator_history_partitions(d, d + 1);
        END IF;
    END LOOP;
    PERFORM totallator_history_partitions(today, today + 3);
END
$$;

INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, exitCode, output,
                              errorMessage, stackTrace, triggeredBy, triggeredByUserId, retryCount, memoryUsageMb, cpuUsagePercent,
                              itemsProcessed, metrics, statusReason, leaseOwner, leaseExpiresAt, upstreamExecutionIds)
SELECT id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, exitCode, output,
       errorMessage, stackTrace, triggeredBy, triggeredByUserId, retryCount, memoryUsageMb, cpuUsagePercent,
       itemsProcessed, metrics, statusReason, leaseOwner, leaseExpiresAt, upstreamExecutionIds
FROM cronJobExecution_0014;

-- Not one row lost: the counts must agree, or the whole migration rolls back.
DO $$
BEGIN
    IF (SELECT count(*) FROM cronJobExecution) <> (SELECT count(*) FROM cronJobExecution_0014) THEN
        RAISE EXCEPTION '0015: % rows copied of %', (SELECT count(*) FROM cronJobExecution), (SELECT count(*) FROM cronJobExecution_0014);
    END IF;
END
$$;

DROP TABLE cronJobExecution_0014;

-- The keys and the same indexes as before (0002, 0003, 0005, 0006), one per partition. Built after the copy: a sorted build
-- per partition is several times faster than keeping seven indexes up to date row by row (43 M rows at 1,000 fires a minute).
ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_pkey PRIMARY KEY (id, scheduledFor);
ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_occurrence_fence UNIQUE (cronJobId, occurrenceKey, retryCount, scheduledFor);
-- Checked in one join after the copy, not by a trigger per copied row.
ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_cronjobid_fkey FOREIGN KEY (cronJobId) REFERENCES cronJob (id) ON DELETE CASCADE;
CREATE INDEX cronjobexecution_job_scheduled_idx ON cronJobExecution (cronJobId, scheduledFor DESC);
CREATE INDEX cronjobexecution_active_lease_idx ON cronJobExecution (leaseExpiresAt) WHERE status IN ('running', 'claimed');
CREATE INDEX cronjobexecution_completed_idx ON cronJobExecution (completedAt);
CREATE INDEX cronjobexecution_running_job_idx ON cronJobExecution (cronJobId) WHERE status = 'running';
CREATE INDEX cronjobexecution_released_idx ON cronJobExecution (cronJobId) WHERE status = 'claimed' AND leaseOwner IS NULL;

-- Drops one day's partition if every row in it is one the cleanup deletes (ended, completedAt before cutoff); returns how
-- many rows went, or NULL when it stays (a row still running, claimed, or ended at or after the cutoff; or the lock not
-- granted within lockTimeoutMs: the caller then deletes its rows one by one, as before). The check and the drop run under
-- ACCESS EXCLUSIVE on cronJobExecution, taken first so no writer holding a partition lock can deadlock with it; the check
-- reads only indexes (the partial index of active rows, the completedAt index), so claims wait milliseconds, not a scan.
-- The count is taken before the lock; only rows the check refuses could change it meanwhile, and they keep the partition.
CREATE OR REPLACE FUNCTION totallator_drop_history_partition(part text, cutoff timestamptz, lockTimeoutMs integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n    bigint;
    kept boolean;
BEGIN
    IF part !~ '^cronjobexecution_p[0-9]{8}$' OR to_regclass(part) IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT count(*) FROM %I', part) INTO n;
    -- What ON DELETE CASCADE did before: the signals these executions consumed go with them. Only those of rows the cleanup
    -- deletes, and before the lock (a join with a day of rows must not stall claims): if the partition then stays, the
    -- caller deletes exactly these rows one by one.
    EXECUTE format('DELETE FROM cronJobSignal s USING %I e WHERE s.consumedBy = e.id AND e.status NOT IN (''running'', ''claimed'') '
                   'AND e.completedAt < $1', part) USING cutoff;
    PERFORM set_config('lock_timeout', lockTimeoutMs || 'ms', true);
    BEGIN
        LOCK TABLE cronJobExecution IN ACCESS EXCLUSIVE MODE;
    EXCEPTION WHEN lock_not_available THEN
        RETURN NULL;
    END;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %1$I WHERE status IN (''running'', ''claimed''))
                        OR EXISTS (SELECT 1 FROM %1$I WHERE completedAt >= $1 OR completedAt IS NULL)', part)
        INTO kept USING cutoff;
    IF kept THEN
        RETURN NULL;
    END IF;
    EXECUTE format('DROP TABLE %I', part);
    RETURN n;
END
$$;
