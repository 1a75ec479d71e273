-- 0009: job dependencies. A job may run after other jobs (its upstreams): each edge names the upstream and a condition
-- (success, failure or completion). When an upstream occurrence reaches its final attempt and the outcome meets an edge's
-- condition, a signal row is written for the downstream job, in the same statement as that attempt's end; the downstream
-- claims a run by consuming its signals (docs/dependencies.md has the fan-in rule and why it runs exactly once).
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on:
--   * cronJob.after holds the job's edges as '<upstream slug>:<condition>' (condition: success, failure, completion), sorted;
--     an upstream is named by slug, so an edge to a job since deleted stays visible (shown as broken) instead of vanishing;
--   * cronJobSignal (downstreamId, upstreamId, upstreamOccurrenceKey) is UNIQUE: one upstream occurrence signals a
--     downstream at most once, whichever of its attempts or verdicts (an abandonment, then the real end) comes first;
--   * a signal is consumed by exactly one downstream execution (consumedBy), set in the statement that claims it; the
--     downstream execution's own row keeps the upstream execution ids that signalled it (upstreamExecutionIds).

ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS after text[] NOT NULL DEFAULT '{}';
-- The end of an upstream attempt finds its downstream jobs by an array overlap on after.
CREATE INDEX IF NOT EXISTS cronjob_after_idx ON cronJob USING gin (after);
-- The dependency graph (cycle checks, the job page) reads only the jobs that have upstreams.
CREATE INDEX IF NOT EXISTS cronjob_has_after_idx ON cronJob (slug) WHERE cardinality(after) > 0;

ALTER TABLE cronJobExecution ADD COLUMN IF NOT EXISTS upstreamExecutionIds uuid[] NULL;
ALTER TABLE cronJobExecution DROP CONSTRAINT IF EXISTS cronjobexecution_triggeredby_check;
ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_triggeredby_check
    CHECK (triggeredBy IN ('scheduler', 'manual', 'retry', 'catch-up', 'dependency'));

CREATE TABLE IF NOT EXISTS cronJobSignal
(
    id                    uuid        NOT NULL PRIMARY KEY,
    downstreamId          uuid        NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    upstreamId            uuid        NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    upstreamOccurrenceKey text        NOT NULL,
    -- The attempt whose end signalled it, and that end's status.
    upstreamExecutionId   uuid        NOT NULL,
    upstreamStatus        text        NOT NULL,
    signalledAt            timestamptz NOT NULL DEFAULT now(),
    -- The downstream execution that consumed it (ran, or was recorded skipped, because of it); NULL while pending. Deleted
    -- with that execution by the history cleanup.
    consumedBy            uuid        NULL REFERENCES cronJobExecution (id) ON DELETE CASCADE,
    CONSTRAINT cronjobsignal_once UNIQUE (downstreamId, upstreamId, upstreamOccurrenceKey)
);

-- A downstream job reads its pending signals; the sweep looks for pending ones nobody acted on.
CREATE INDEX IF NOT EXISTS cronjobsignal_pending_idx ON cronJobSignal (downstreamId) WHERE consumedBy IS NULL;
-- "Which runs did this run signal?" and the foreign key's checks when an execution row is deleted.
CREATE INDEX IF NOT EXISTS cronjobsignal_upstream_execution_idx ON cronJobSignal (upstreamExecutionId);
CREATE INDEX IF NOT EXISTS cronjobsignal_consumed_idx ON cronJobSignal (consumedBy) WHERE consumedBy IS NOT NULL;
