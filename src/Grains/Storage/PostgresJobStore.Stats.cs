namespace Totallator.Grains.Storage;

public sealed partial class PostgresJobStore
{
    // What ended attempts do to their jobs' statistics row (0016_job_stats.sql), in the statement that ends them: one upsert per
    // job of the statement, in job id order (as JobLockOrder: two batches touching the same jobs lock their rows in the same
    // order). `statEnds` is the CTE of every attempt the statement ended, final or not (id, cronJobId, occurrenceKey,
    // scheduledFor, retryCount, status, startedAt, completedAt, durationMs, statusReason, triggeredBy). The work per job is a
    // few string and array operations on one row; nothing reads the history.
    internal const string CountStats = """
        statBatch AS (
            SELECT x.cronJobId,
                   COALESCE(string_agg(CASE WHEN x.retryCount > 0 THEN upper(x.letter) ELSE x.letter END, '' ORDER BY x.scheduledFor, x.retryCount)
                            FILTER (WHERE x.letter IS NOT NULL), '') AS outcomes,
                   COALESCE(array_agg(x.durationMs ORDER BY x.scheduledFor, x.retryCount) FILTER (WHERE x.letter IS NOT NULL), '{}') AS durations,
                   totallator_stats_hours_add(NULL, array_agg(floor(extract(epoch FROM x.scheduledFor) / 3600)::bigint),
                       array_agg((x.startedAt IS NOT NULL)::integer), array_agg((x.status IN ('failed', 'timed_out', 'abandoned'))::integer),
                       array_agg((x.status IN ('skipped', 'missed'))::integer)) AS hours
            FROM (SELECT s.*, CASE s.status WHEN 'succeeded' THEN 's' WHEN 'failed' THEN 'f' WHEN 'timed_out' THEN 't'
                                             WHEN 'abandoned' THEN 'a' END AS letter
                  FROM statEnds s) x
            GROUP BY x.cronJobId
        ), statLast AS (
            SELECT DISTINCT ON (x.cronJobId) x.*
            FROM statEnds x
            WHERE x.startedAt IS NOT NULL
            ORDER BY x.cronJobId, x.scheduledFor DESC, x.retryCount DESC
        ), statsUp AS (
            INSERT INTO cronJobStats AS s (cronJobId, outcomes, recentDurations, hours, lastRunId, lastRunOccurrenceKey, lastRunScheduledFor,
                                           lastRunStartedAt, lastRunCompletedAt, lastRunDurationMs, lastRunStatus, lastRunReason,
                                           lastRunRetryCount, lastRunTriggeredBy)
            SELECT b.cronJobId, right(b.outcomes, 100), b.durations[greatest(1, cardinality(b.durations) - 19):], b.hours,
                   l.id, l.occurrenceKey, l.scheduledFor, l.startedAt, l.completedAt, l.durationMs, l.status, l.statusReason,
                   l.retryCount, l.triggeredBy
            FROM statBatch b LEFT JOIN statLast l ON l.cronJobId = b.cronJobId
            ORDER BY b.cronJobId
            ON CONFLICT (cronJobId) DO UPDATE SET
                outcomes = right(s.outcomes || EXCLUDED.outcomes, 100),
                recentDurations = (s.recentDurations || EXCLUDED.recentDurations)[greatest(1, cardinality(s.recentDurations) + cardinality(EXCLUDED.recentDurations) - 19):],
                hours = totallator_stats_hours_merge(s.hours, EXCLUDED.hours),
                (lastRunId, lastRunOccurrenceKey, lastRunScheduledFor, lastRunStartedAt, lastRunCompletedAt, lastRunDurationMs, lastRunStatus,
                 lastRunReason, lastRunRetryCount, lastRunTriggeredBy) =
                (SELECT CASE WHEN newer THEN EXCLUDED.lastRunId ELSE s.lastRunId END,
                        CASE WHEN newer THEN EXCLUDED.lastRunOccurrenceKey ELSE s.lastRunOccurrenceKey END,
                        CASE WHEN newer THEN EXCLUDED.lastRunScheduledFor ELSE s.lastRunScheduledFor END,
                        CASE WHEN newer THEN EXCLUDED.lastRunStartedAt ELSE s.lastRunStartedAt END,
                        CASE WHEN newer THEN EXCLUDED.lastRunCompletedAt ELSE s.lastRunCompletedAt END,
                        CASE WHEN newer THEN EXCLUDED.lastRunDurationMs ELSE s.lastRunDurationMs END,
                        CASE WHEN newer THEN EXCLUDED.lastRunStatus ELSE s.lastRunStatus END,
                        CASE WHEN newer THEN EXCLUDED.lastRunReason ELSE s.lastRunReason END,
                        CASE WHEN newer THEN EXCLUDED.lastRunRetryCount ELSE s.lastRunRetryCount END,
                        CASE WHEN newer THEN EXCLUDED.lastRunTriggeredBy ELSE s.lastRunTriggeredBy END
                 FROM (SELECT EXCLUDED.lastRunId IS NOT NULL
                              AND (s.lastRunId IS NULL OR (EXCLUDED.lastRunScheduledFor, EXCLUDED.lastRunRetryCount) >= (s.lastRunScheduledFor, s.lastRunRetryCount))
                              AS newer) n)
            RETURNING 1
        )
        """;
}
