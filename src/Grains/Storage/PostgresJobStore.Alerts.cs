namespace Totallator.Grains.Storage;

public sealed partial class PostgresJobStore
{
    // Events are written only while some rule would read them: with no rule enabled, an end costs this one cheap check.
    internal const string AlertsOn = "EXISTS (SELECT 1 FROM cronAlertRule r WHERE r.isEnabled)";

    // What an ended final attempt does to its job's failure streak and the alert outbox (0013_alerts.sql), in the statement
    // that ends it. `counted` is the CTE of final ends to count (id, cronJobId, occurrenceKey, status, completedAt). Only failures, and
    // successes of jobs with a streak (the partial index cronjob_failing_idx) or with a failure in the same statement, go
    // further: a healthy job's success writes nothing more. The jobs' rows are locked in id order (JobLockOrder).
    // A success after failures sets the streak to 0 and is the event 'recovered'; failures after the last success of the
    // statement add to the streak.
    internal const string CountEnded = $"""
        streakEnds AS (
            SELECT x.cronJobId, x.id, x.status, x.completedAt,
                   max(x.completedAt) FILTER (WHERE x.status = 'succeeded') OVER (PARTITION BY x.cronJobId) AS lastOk
            FROM counted x
            WHERE x.status IN ('failed', 'timed_out', 'abandoned')
               OR x.status = 'succeeded'
                  AND (x.cronJobId IN (SELECT j.id FROM cronJob j WHERE j.failureStreak > 0)
                       OR x.cronJobId IN (SELECT f.cronJobId FROM counted f WHERE f.status IN ('failed', 'timed_out', 'abandoned')))
        ), streakLocks AS (
            SELECT j.id FROM cronJob j WHERE j.id IN (SELECT cronJobId FROM streakEnds) ORDER BY j.id FOR NO KEY UPDATE
        ), streaks AS (
            UPDATE cronJob j
            SET failureStreak = CASE WHEN s.lastOk IS NULL THEN j.failureStreak ELSE 0 END + s.failuresAfter
            FROM (SELECT cronJobId, max(lastOk) AS lastOk,
                         count(*) FILTER (WHERE status <> 'succeeded' AND (lastOk IS NULL OR completedAt > lastOk)) AS failuresAfter
                  FROM streakEnds GROUP BY cronJobId) s, streakLocks l
            WHERE j.id = s.cronJobId AND l.id = j.id
            RETURNING j.id
        ), alerted AS (
            INSERT INTO cronAlertEvent (jobId, executionId, kind, occurredAt)
            SELECT x.cronJobId, x.id, CASE WHEN x.status = 'succeeded' THEN 'recovered' ELSE x.status END, x.completedAt
            FROM streakEnds x
            WHERE {AlertsOn} AND (x.status <> 'succeeded' OR x.completedAt = x.lastOk)
            ORDER BY x.completedAt
            -- An end signalled again after a lost reply (SignalExecution) is one event still.
            ON CONFLICT (executionId, kind) WHERE executionId IS NOT NULL DO NOTHING
            RETURNING 1
        )
        """;
}
