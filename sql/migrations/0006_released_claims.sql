-- 0006: claims handed over. An activation that stops hosting a job gives back the occurrence it claimed ahead. When the
-- job's schedule has already been planned through that occurrence (lastScheduledFor >= its instant), the row cannot simply
-- be removed: another activation may have planned past it, and the occurrence would then be neither run nor recorded. The
-- row stays 'claimed' with leaseOwner NULL instead, and the job's next activation takes it over when it loads the job; a row
-- nobody takes before its lease expires is recorded 'missed'.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on: a claimed row with leaseOwner NULL is a released claim (every claim names its silo).

CREATE INDEX IF NOT EXISTS cronjobexecution_released_idx ON cronJobExecution (cronJobId) WHERE status = 'claimed' AND leaseOwner IS NULL;
