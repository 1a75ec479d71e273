-- 0014: roll-ups of each job's history per hour and per UTC day, kept longer than the history itself (docs/analytics.md).
-- The history cleanup deletes executions older than cronJobConfig.historyRetentionDays (30); these rows keep the figures of
-- those days: counts by status, exact duration and lateness percentiles, memory and CPU peaks. Daily rows live
-- Cron:Analytics:KeepDays (400), hourly ones Cron:Analytics:HourlyKeepDays (14).
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on (PostgresRollupStore):
--   * one row per (job, bucketSize, bucketStart); bucketStart is the start of the UTC hour or day, and an attempt belongs to
--     the bucket of its completedAt (the column the history cleanup deletes by, so a bucket is either whole or cut by the
--     cleanup from its oldest end, never in the middle);
--   * only the roll-up pass writes these tables, one silo at a time (pg_try_advisory_xact_lock(7401100014) in its transaction);
--     it recomputes a bucket from the history only when the bucket starts at or after the history cleanup's latest cutoff
--     (read from the cleanup's executions.cleanup audit rows), so a bucket the cleanup cut into is never recomputed from what
--     is left of it;
--   * cronRollupPass holds one row (id 1): the database time of the last pass, from which the next one knows what changed.

CREATE TABLE IF NOT EXISTS cronJobRollup
(
    cronJobId       uuid             NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    bucketSize      text             NOT NULL CHECK (bucketSize IN ('hour', 'day')),
    bucketStart     timestamptz      NOT NULL,
    -- Ended attempts whose completedAt falls in the bucket, whatever their status; the six counts add up to it.
    runs            integer          NOT NULL,
    succeeded       integer          NOT NULL,
    failed          integer          NOT NULL,
    timedOut        integer          NOT NULL,
    abandoned       integer          NOT NULL,
    skipped         integer          NOT NULL,
    missed          integer          NOT NULL,
    -- Of the attempts that ran (a duration recorded): percentile_cont over the bucket's rows, exact.
    durationP50Ms   double precision NULL,
    durationP95Ms   double precision NULL,
    durationMaxMs   bigint           NULL,
    -- startedAt - scheduledFor of the attempts the scheduler started (triggeredBy 'scheduler'), in ms.
    latenessP50Ms   double precision NULL,
    latenessP99Ms   double precision NULL,
    memoryPeakMb    double precision NULL,
    cpuPeakPercent  double precision NULL,
    computedAt      timestamptz      NOT NULL,
    PRIMARY KEY (cronJobId, bucketSize, bucketStart)
);

-- Failure rates of every job over a period, and the deletion of expired buckets, read by size and start.
CREATE INDEX IF NOT EXISTS cronjobrollup_size_start_idx ON cronJobRollup (bucketSize, bucketStart);

CREATE TABLE IF NOT EXISTS cronRollupPass
(
    id             integer     NOT NULL PRIMARY KEY CHECK (id = 1),
    -- The database time the last pass computed at; the next one recomputes the buckets from (lastPassAt - grace) on.
    lastPassAt     timestamptz NOT NULL,
    durationMs     bigint      NOT NULL,
    bucketsWritten integer     NOT NULL,
    bucketsDeleted integer     NOT NULL
);
