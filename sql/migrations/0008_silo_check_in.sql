-- 0008: a dead silo's claims that provably never started are handed over at once, instead of waiting for their leases.
--
-- The problem: a silo claims occurrences ahead of their instants and starts them with no write (a start is recorded later,
-- and only if the run lasts). When the silo dies, its `claimed` rows cannot tell a run that never began from one that began
-- a moment before the death. Waiting for the lease and recording `abandoned` is truthful but loses occurrences that never ran;
-- handing every `claimed` row over would run some twice.
--
-- The proof: each silo checks in here every Cron:Scheduler:CheckInInterval (250 ms), and starts a claimed occurrence only if
-- its instant is at most Cron:Scheduler:StartWindow (1 s) after its last check-in that this table accepted. When the
-- membership has declared a silo dead, a survivor fences its row (fenced = true, in the same statement as the hand-over):
-- from then on no check-in of that silo is accepted, so lastSeen is final, and every occurrence the silo could ever start has
-- its instant at or before lastSeen + StartWindow. Its claims past that are handed over (leaseOwner NULL, as a graceful
-- release does: 0006) and the job's next activation takes them over; the others keep their leases.
--
-- Why a row lock and not a read: a check-in that began before the fence and commits after it would otherwise move lastSeen
-- behind the survivor's back. Both statements write the row: the fence waits for a check-in in flight and reads the lastSeen
-- it wrote; a check-in that waits for the fence re-checks `NOT fenced` on the fenced row and is refused.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header). Rows of silos gone a week are deleted by the
-- check-in of a silo starting (the membership table keeps dead silos about as long).

CREATE TABLE IF NOT EXISTS totallator_silo_check_in (
    owner    text        PRIMARY KEY,  -- the lease owner: SiloAddress.ToString()
    lastSeen timestamptz NOT NULL,     -- the database time of the last accepted check-in ('-infinity': never)
    fenced   boolean     NOT NULL DEFAULT false
);
