-- 0003: claim ahead. A silo claims an occurrence a moment (Cron:Scheduler:ClaimAhead, default 2 s) before its instant, so
-- the instant itself needs no database round trip. Such a row is 'claimed' (startedAt NULL) until the run starts, then
-- 'running'. If the job is disabled or rescheduled before the instant, the silo releases the claim: it deletes the
-- 'claimed' row and puts cronJob.lastScheduledFor back, as if the occurrence had never been claimed.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on: the status vocabulary below (ExecutionStatusText); a 'claimed' row carries a lease like a
-- running one, and the sweeper marks both abandoned when their lease expires (database clock).

ALTER TABLE cronJobExecution DROP CONSTRAINT IF EXISTS cronjobexecution_status_check;
ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_status_check CHECK (status IN
    ('claimed', 'running', 'succeeded', 'failed', 'timed_out', 'skipped', 'missed', 'abandoned'));

ALTER TABLE cronJobExecution DROP CONSTRAINT IF EXISTS cronjobexecution_running_has_lease;
ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_running_has_lease
    CHECK (status NOT IN ('running', 'claimed') OR leaseExpiresAt IS NOT NULL);

-- The sweeper looks at every row that has not ended.
DROP INDEX IF EXISTS cronjobexecution_running_lease_idx;
CREATE INDEX IF NOT EXISTS cronjobexecution_active_lease_idx ON cronJobExecution (leaseExpiresAt)
    WHERE status IN ('running', 'claimed');
