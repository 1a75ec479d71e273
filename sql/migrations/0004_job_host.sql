-- 0004: where each job grain is active. A job grain records its silo here when it activates (batched with the other
-- activations of that silo). When a silo is declared dead (killed, hung, or shut down), the first survivor to see it takes
-- that silo's jobs (UPDATE ... RETURNING, so only one does) and wakes them at once, instead of leaving them to their
-- heartbeat reminder: recovery then takes the membership's detection time, not up to a heartbeat period more.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on: hostSilo holds Orleans' SiloAddress.ToString() of the hosting silo, or NULL.

ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS hostSilo text NULL;
CREATE INDEX IF NOT EXISTS cronjob_host_idx ON cronJob (hostSilo) WHERE hostSilo IS NOT NULL;
