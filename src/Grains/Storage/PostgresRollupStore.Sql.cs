namespace Totallator.Grains.Storage;

public sealed partial class PostgresRollupStore
{
    // The pass's lock (0014_job_rollups.sql): held to the end of its transaction; a silo that finds it taken skips its pass.
    internal const string TryLockPass = "SELECT pg_try_advisory_xact_lock(7401100014)";

    // The pass is background work: one backend, no parallel workers, so that recomputing a day (1.44 M rows at 1,000 jobs
    // running every minute) takes one core of the database for a few seconds and leaves the others to the runs' own statements.
    internal const string OneBackend = "SET LOCAL max_parallel_workers_per_gather = 0";

    // What the plan needs: the database time, the last pass, the history cleanup's latest cutoff, and the history's first end
    // (min() walks cronjobexecution_completed_idx). Every cleanup appends an
    // executions.cleanup audit row (at, olderThanDays) in its own statement, and deletes audit rows only older than the audit
    // retention (at least a day), so the latest cleanup's row is always there; the cutoff is the largest at - olderThanDays.
    internal const string ReadPassState = """
        SELECT now(),
               (SELECT lastPassAt FROM cronRollupPass WHERE id = 1),
               (SELECT max(at - (newValues->>'olderThanDays')::float8 * interval '1 day') FROM cronAudit
                WHERE action = 'executions.cleanup' AND jsonb_typeof(newValues->'olderThanDays') = 'number'),
               (SELECT min(completedAt) FROM cronJobExecution WHERE completedAt IS NOT NULL)
        """;

    // Recomputes every bucket of one size starting in [@from, @to) from the history, exactly: an attempt belongs to the UTC
    // hour or day of its completedAt. Rows of the window are locked in key order first (as every statement that updates many
    // rows does, PostgresJobStore.Sql.cs says why; the advisory lock already makes the pass their only writer, a job's
    // deletion cascading here aside). Buckets whose history is now empty are deleted, the others upserted: the window ends
    // up equal to its history. Reads the history by cronjobexecution_completed_idx and writes nothing there.
    internal const string RecomputeWindow = """
        WITH locked AS (
            SELECT cronJobId, bucketStart FROM cronJobRollup
            WHERE bucketSize = @size AND bucketStart >= @from AND bucketStart < @to
            ORDER BY cronJobId, bucketStart FOR UPDATE
        ), fresh AS (
            SELECT e.cronJobId,
                   date_trunc(@size, e.completedAt, 'UTC') AS bucketStart,
                   count(*)::int AS runs,
                   count(*) FILTER (WHERE e.status = 'succeeded')::int AS succeeded,
                   count(*) FILTER (WHERE e.status = 'failed')::int AS failed,
                   count(*) FILTER (WHERE e.status = 'timed_out')::int AS timedOut,
                   count(*) FILTER (WHERE e.status = 'abandoned')::int AS abandoned,
                   count(*) FILTER (WHERE e.status = 'skipped')::int AS skipped,
                   count(*) FILTER (WHERE e.status = 'missed')::int AS missed,
                   -- Durations of the attempts that ran; skipped and missed rows have none.
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY e.durationMs) FILTER (WHERE e.status IN ('succeeded', 'failed', 'timed_out', 'abandoned')) AS durationP50Ms,
                   percentile_cont(0.95) WITHIN GROUP (ORDER BY e.durationMs) FILTER (WHERE e.status IN ('succeeded', 'failed', 'timed_out', 'abandoned')) AS durationP95Ms,
                   max(e.durationMs) FILTER (WHERE e.status IN ('succeeded', 'failed', 'timed_out', 'abandoned')) AS durationMaxMs,
                   -- Lateness of the scheduler's own starts: catch-up, retries, manual and dependency runs are late by design.
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY (extract(epoch FROM e.startedAt - e.scheduledFor) * 1000)::float8)
                       FILTER (WHERE e.triggeredBy = 'scheduler' AND e.startedAt IS NOT NULL) AS latenessP50Ms,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY (extract(epoch FROM e.startedAt - e.scheduledFor) * 1000)::float8)
                       FILTER (WHERE e.triggeredBy = 'scheduler' AND e.startedAt IS NOT NULL) AS latenessP99Ms,
                   max(e.memoryUsageMb) AS memoryPeakMb,
                   max(e.cpuUsagePercent) AS cpuPeakPercent
            FROM cronJobExecution e
            WHERE e.completedAt >= @from AND e.completedAt < @to AND e.status NOT IN ('running', 'claimed')
            GROUP BY 1, 2
        ), stale AS (
            DELETE FROM cronJobRollup r USING locked l
            WHERE r.bucketSize = @size AND r.cronJobId = l.cronJobId AND r.bucketStart = l.bucketStart
              AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.cronJobId = r.cronJobId AND f.bucketStart = r.bucketStart)
            RETURNING 1
        ), written AS (
            INSERT INTO cronJobRollup AS r (cronJobId, bucketSize, bucketStart, runs, succeeded, failed, timedOut, abandoned, skipped, missed,
                                            durationP50Ms, durationP95Ms, durationMaxMs, latenessP50Ms, latenessP99Ms, memoryPeakMb,
                                            cpuPeakPercent, computedAt)
            SELECT f.cronJobId, @size, f.bucketStart, f.runs, f.succeeded, f.failed, f.timedOut, f.abandoned, f.skipped, f.missed,
                   f.durationP50Ms, f.durationP95Ms, f.durationMaxMs, f.latenessP50Ms, f.latenessP99Ms, f.memoryPeakMb, f.cpuPeakPercent, now()
            FROM fresh f
            -- A job deleted while the pass ran has no row to refer to.
            WHERE EXISTS (SELECT 1 FROM cronJob j WHERE j.id = f.cronJobId)
            ORDER BY f.cronJobId, f.bucketStart
            ON CONFLICT (cronJobId, bucketSize, bucketStart) DO UPDATE
            SET runs = EXCLUDED.runs, succeeded = EXCLUDED.succeeded, failed = EXCLUDED.failed, timedOut = EXCLUDED.timedOut,
                abandoned = EXCLUDED.abandoned, skipped = EXCLUDED.skipped, missed = EXCLUDED.missed,
                durationP50Ms = EXCLUDED.durationP50Ms, durationP95Ms = EXCLUDED.durationP95Ms, durationMaxMs = EXCLUDED.durationMaxMs,
                latenessP50Ms = EXCLUDED.latenessP50Ms, latenessP99Ms = EXCLUDED.latenessP99Ms, memoryPeakMb = EXCLUDED.memoryPeakMb,
                cpuPeakPercent = EXCLUDED.cpuPeakPercent, computedAt = EXCLUDED.computedAt
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM written)::int, (SELECT count(*) FROM stale)::int
        """;

    // Buckets past their keep, locked in key order first like the window's.
    internal const string DeleteExpired = """
        WITH locked AS (
            SELECT cronJobId, bucketSize, bucketStart FROM cronJobRollup
            WHERE (bucketSize = 'day' AND bucketStart < @keepDaysFrom) OR (bucketSize = 'hour' AND bucketStart < @keepHoursFrom)
            ORDER BY cronJobId, bucketSize, bucketStart FOR UPDATE
        ), gone AS (
            DELETE FROM cronJobRollup r USING locked l
            WHERE r.cronJobId = l.cronJobId AND r.bucketSize = l.bucketSize AND r.bucketStart = l.bucketStart
            RETURNING 1
        )
        SELECT count(*)::int FROM gone
        """;

    internal const string RecordPass = """
        INSERT INTO cronRollupPass (id, lastPassAt, durationMs, bucketsWritten, bucketsDeleted)
        VALUES (1, @at, @durationMs, @written, @deleted)
        ON CONFLICT (id) DO UPDATE
        SET lastPassAt = EXCLUDED.lastPassAt, durationMs = EXCLUDED.durationMs, bucketsWritten = EXCLUDED.bucketsWritten,
            bucketsDeleted = EXCLUDED.bucketsDeleted
        """;

    internal const string BucketColumns = """
        bucketStart, runs, succeeded, failed, timedOut, abandoned, skipped, missed, durationP50Ms, durationP95Ms, durationMaxMs,
        latenessP50Ms, latenessP99Ms, memoryPeakMb, cpuPeakPercent
        """;

    // One job's buckets: the primary key's range.
    internal const string SelectBuckets = $"""
        SELECT {BucketColumns} FROM cronJobRollup
        WHERE cronJobId = @jobId AND bucketSize = @size AND bucketStart >= @from AND bucketStart < @to
        ORDER BY bucketStart
        """;

    // Every job's sums over a range of buckets (cronjobrollup_size_start_idx).
    internal const string SelectCounts = """
        SELECT cronJobId, sum(runs)::int, sum(succeeded + failed + timedOut + abandoned)::int, sum(failed + timedOut + abandoned)::int
        FROM cronJobRollup
        WHERE bucketSize = @size AND bucketStart >= @from AND bucketStart < @to
        GROUP BY cronJobId
        """;

    internal const string SelectLastPass = "SELECT lastPassAt, durationMs, bucketsWritten, bucketsDeleted FROM cronRollupPass WHERE id = 1";
}
