-- 0010: one-off runs. An operator schedules a run of a job for a future instant; it runs once at that instant (by the same
-- fence as every occurrence: its row's occurrence key is 'o:<id>'), or is cancelled before it starts.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on:
--   * a one-off is pending while cancelledAt and executionId are both NULL; its claim (OneOffRuns in PostgresJobStore) locks the
--     row, inserts the execution and sets executionId in one statement, and a cancel locks the row and sets cancelledAt only
--     while it is pending: whichever comes first wins, the other changes nothing;
--   * runAt is the instant; timeZone and localTime are how the operator wrote it (shown back as written).

CREATE TABLE IF NOT EXISTS cronJobOneOff
(
    id          uuid        NOT NULL PRIMARY KEY,
    cronJobId   uuid        NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    runAt       timestamptz NOT NULL,
    timeZone    text        NOT NULL,
    note        text        NULL,
    createdAt   timestamptz NOT NULL DEFAULT now(),
    createdBy   text        NOT NULL,
    cancelledAt timestamptz NULL,
    cancelledBy text        NULL,
    -- The execution that took it: its run, or the row recording why it did not run (missed, skipped).
    executionId uuid        NULL,
    CONSTRAINT cronjoboneoff_cancelled_or_taken CHECK (cancelledAt IS NULL OR executionId IS NULL)
);

-- A job's pending one-offs, soonest first.
CREATE INDEX IF NOT EXISTS cronjoboneoff_pending_idx ON cronJobOneOff (cronJobId, runAt) WHERE cancelledAt IS NULL AND executionId IS NULL;

ALTER TABLE cronJobExecution DROP CONSTRAINT IF EXISTS cronjobexecution_triggeredby_check;
ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_triggeredby_check
    CHECK (triggeredBy IN ('scheduler', 'manual', 'retry', 'catch-up', 'dependency', 'one-off'));
