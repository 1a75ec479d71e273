-- 0016: per-job statistics kept up to date by the statements that end attempts, so the admin list reads one small row per
-- job instead of walking every job's history (docs/admin-read.md).
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on (PostgresJobStore's CompleteExecutions, AbandonExpired and RecordUnrun, PostgresAdminStore's
-- job list, InMemoryJobStore which does the same in memory):
--   * one row per job that has ever ended an attempt (a job without a row has no statistics yet);
--   * outcomes: the job's last 100 ended attempts that ran to an outcome (succeeded, failed, timed out, abandoned), oldest
--     first, one letter each: s f t a, upper case for a retry (retryCount > 0). Within one statement the attempts of a job go
--     in (scheduledFor, retryCount) order; across statements in the order they commit;
--   * recentDurations: the durations of the last 20 of those (null for an attempt that never started), aligned with
--     right(outcomes, 20);
--   * hours: a ring of 24 hourly slots, 4 numbers each (the UTC hour since the epoch it holds, runs, failures, not run), filled
--     by the hour of each ended attempt's scheduledFor; slot = hour mod 24. A slot is reset when a later hour arrives, and a
--     reader sums only the slots of the current hour and the 23 before, so the counts age out without any write;
--   * lastRun*: the latest ended attempt that started, by (scheduledFor, retryCount); the list reads running rows live.
-- No foreign key to cronJobExecution (it may be partitioned, and history cleanup must stay free to delete rows): the
-- figures outlive the history they came from.

CREATE TABLE IF NOT EXISTS cronJobStats
(
    cronJobId           uuid        NOT NULL PRIMARY KEY REFERENCES cronJob (id) ON DELETE CASCADE,
    outcomes            text        NOT NULL DEFAULT '',
    recentDurations     bigint[]    NOT NULL DEFAULT '{}',
    hours               bigint[]    NOT NULL DEFAULT '{}',
    lastRunId           uuid        NULL,
    lastRunOccurrenceKey text       NULL,
    lastRunScheduledFor timestamptz NULL,
    lastRunStartedAt    timestamptz NULL,
    lastRunCompletedAt  timestamptz NULL,
    lastRunDurationMs   bigint      NULL,
    lastRunStatus       text        NULL,
    lastRunReason       text        NULL,
    lastRunRetryCount   integer     NULL,
    lastRunTriggeredBy  text        NULL
);

-- The list sorts by last run.
CREATE INDEX IF NOT EXISTS cronjobstats_last_run_idx ON cronJobStats (lastRunScheduledFor);

-- Adds ended attempts (their scheduled hour and 0/1 flags) to a ring of 24 hourly slots (see the header).
CREATE OR REPLACE FUNCTION totallator_stats_hours_add(ring bigint[], hrs bigint[], runs integer[], failures integer[], notRun integer[])
RETURNS bigint[] LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    r bigint[] := ring;
    s integer;
    h bigint;
BEGIN
    IF r IS NULL OR cardinality(r) <> 96 THEN
        r := array_fill(NULL::bigint, ARRAY[96]);
    END IF;
    FOR i IN 1 .. COALESCE(cardinality(hrs), 0) LOOP
        h := hrs[i];
        CONTINUE WHEN h IS NULL;
        s := (h % 24)::integer * 4;
        IF r[s + 1] IS NULL OR r[s + 1] < h THEN
            r[s + 1] := h; r[s + 2] := 0; r[s + 3] := 0; r[s + 4] := 0;
        ELSIF r[s + 1] > h THEN
            -- Older than the hour the slot holds: more than 24 hours before the latest end, outside every window.
            CONTINUE;
        END IF;
        r[s + 2] := r[s + 2] + runs[i];
        r[s + 3] := r[s + 3] + failures[i];
        r[s + 4] := r[s + 4] + notRun[i];
    END LOOP;
    RETURN r;
END
$$;

-- One ring added into another (a statement's batch into the stored row).
CREATE OR REPLACE FUNCTION totallator_stats_hours_merge(ring bigint[], batch bigint[])
RETURNS bigint[] LANGUAGE sql IMMUTABLE AS $$
    SELECT totallator_stats_hours_add(ring, array_agg(batch[s * 4 + 1]), array_agg(batch[s * 4 + 2]::integer),
                                      array_agg(batch[s * 4 + 3]::integer), array_agg(batch[s * 4 + 4]::integer))
    FROM generate_series(0, 23) AS s
    WHERE batch[s * 4 + 1] IS NOT NULL
$$;

-- A count (field 2 runs, 3 failures, 4 not run) over the hour nowHour and the 23 before; only the list's sort by runs uses it.
CREATE OR REPLACE FUNCTION totallator_stats_hours_sum(ring bigint[], nowHour bigint, field integer)
RETURNS bigint LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(sum(ring[s * 4 + field]), 0)::bigint
    FROM generate_series(0, 23) AS s
    WHERE ring[s * 4 + 1] > nowHour - 24 AND ring[s * 4 + 1] <= nowHour
$$;

-- The back-fill, once: every job's figures from the history as it is now (the same rules as the statements that end attempts).
INSERT INTO cronJobStats (cronJobId, outcomes, recentDurations, hours, lastRunId, lastRunOccurrenceKey, lastRunScheduledFor,
                          lastRunStartedAt, lastRunCompletedAt, lastRunDurationMs, lastRunStatus, lastRunReason, lastRunRetryCount,
                          lastRunTriggeredBy)
SELECT j.id,
       COALESCE(o.outcomes, ''), COALESCE(o.durations[greatest(1, cardinality(o.durations) - 19):], '{}'),
       totallator_stats_hours_add(NULL, h.hrs, h.runs, h.failures, h.notRun),
       lr.id, lr.occurrenceKey, lr.scheduledFor, lr.startedAt, lr.completedAt, lr.durationMs, lr.status, lr.statusReason,
       lr.retryCount, lr.triggeredBy
FROM cronJob j
LEFT JOIN LATERAL (
    SELECT string_agg(CASE WHEN x.retryCount > 0 THEN upper(x.letter) ELSE x.letter END, '' ORDER BY x.scheduledFor, x.retryCount) AS outcomes,
           array_agg(x.durationMs ORDER BY x.scheduledFor, x.retryCount) AS durations
    FROM (SELECT e.scheduledFor, e.retryCount, e.durationMs,
                 CASE e.status WHEN 'succeeded' THEN 's' WHEN 'failed' THEN 'f' WHEN 'timed_out' THEN 't' ELSE 'a' END AS letter
          FROM cronJobExecution e
          WHERE e.cronJobId = j.id AND e.status IN ('succeeded', 'failed', 'timed_out', 'abandoned')
          ORDER BY e.scheduledFor DESC, e.retryCount DESC
          LIMIT 100) x
) o ON true
LEFT JOIN LATERAL (
    SELECT array_agg(floor(extract(epoch FROM e.scheduledFor) / 3600)::bigint) AS hrs,
           array_agg((e.startedAt IS NOT NULL)::integer) AS runs,
           array_agg((e.status IN ('failed', 'timed_out', 'abandoned'))::integer) AS failures,
           array_agg((e.status IN ('skipped', 'missed'))::integer) AS notRun
    FROM cronJobExecution e
    WHERE e.cronJobId = j.id AND e.scheduledFor >= date_trunc('hour', now()) - interval '23 hours'
      -- 'infinity' has no hour (the cast failed and stopped the migration, found by the 0015 row-move test's odd rows).
      AND isfinite(e.scheduledFor)
      AND e.status NOT IN ('running', 'claimed')
) h ON true
LEFT JOIN LATERAL (
    SELECT e.id, e.occurrenceKey, e.scheduledFor, e.startedAt, e.completedAt, e.durationMs, e.status, e.statusReason,
           e.retryCount, e.triggeredBy
    FROM cronJobExecution e
    WHERE e.cronJobId = j.id AND e.startedAt IS NOT NULL AND e.status NOT IN ('running', 'claimed')
    ORDER BY e.scheduledFor DESC, e.retryCount DESC
    LIMIT 1
) lr ON true
WHERE o.outcomes IS NOT NULL OR h.hrs IS NOT NULL OR lr.id IS NOT NULL
ON CONFLICT (cronJobId) DO NOTHING;
