-- 0013: alerts (who is told when a job fails, times out, is abandoned or missed, recovers, goes stale, or is paused by its
-- circuit breaker) and the circuit breaker itself. docs/alerts.md explains the design; this header lists what the code needs.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on (PostgresJobStore, PostgresAlertStore):
--   * cronJob.failureStreak counts the job's final attempts that failed, timed out or were abandoned since its last success.
--     The statements that end attempts maintain it in the same write (so it survives any silo's death); a success sets it
--     back to 0. The partial index keeps a healthy job's success free of any extra write: only jobs with a streak are found.
--   * cronJob.pauseAfterFailures (NULL: no breaker) is the job's circuit breaker: once failureStreak reaches it, the job's
--     grain disables the job, records why in pausedReason, and audits it as done by 'system'. Enabling clears both.
--   * cronAlertEvent is the outbox: a row per event, written by the statement that ends the attempt (or pauses the job), only
--     while some rule is enabled. One silo at a time (an advisory lock) turns pending events into deliveries, in id order, in
--     one transaction with marking them processed: an event is planned exactly once, whichever silo dies when.
--   * cronAlertDelivery is one message of one rule about one event: UNIQUE (eventId, ruleId) suppresses a second one. Silos
--     take due deliveries with a lease (lockedBy, lockedUntil), so a silo killed mid-send leaves it to another after the lease.
--   * cronAlertState is an open incident of a rule for a job ('failing' or 'stale'): repeats while it is open are counted, and
--     sent as a reminder at most every rule.repeatEveryMs; the first success closes it (and sends 'recovered').

ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS failureStreak integer NOT NULL DEFAULT 0 CHECK (failureStreak >= 0);
ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS pauseAfterFailures integer NULL CHECK (pauseAfterFailures BETWEEN 1 AND 1000);
ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS pausedReason text NULL;
CREATE INDEX IF NOT EXISTS cronjob_failing_idx ON cronJob (id) WHERE failureStreak > 0;

CREATE TABLE IF NOT EXISTS cronAlertRule
(
    id                    uuid        NOT NULL PRIMARY KEY,
    name                  text        NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    -- NULL: every job (a global default); else the slug of one job.
    jobSlug               text        NULL,
    events                text[]      NOT NULL CHECK (cardinality(events) > 0 AND events <@ ARRAY
                              ['failed', 'timed_out', 'abandoned', 'missed', 'recovered', 'stale', 'paused']),
    channel               text        NOT NULL CHECK (channel IN ('webhook', 'slack')),
    -- Both may hold secrets (a Slack incoming-webhook URL is one): the API and the audit rows never show them.
    url                   text        NOT NULL,
    secret                text        NULL,
    -- For 'stale': no success within this long (a dead man's switch), checked by the cluster even if the job never starts.
    expectSuccessWithinMs bigint      NULL CHECK (expectSuccessWithinMs > 0),
    repeatEveryMs         bigint      NOT NULL DEFAULT 3600000 CHECK (repeatEveryMs > 0),
    isEnabled             boolean     NOT NULL DEFAULT true,
    source                text        NOT NULL CHECK (source IN ('configuration', 'api')),
    version               integer     NOT NULL DEFAULT 0,
    createdAt             timestamptz NOT NULL DEFAULT now(),
    createdBy             text        NOT NULL,
    updatedAt             timestamptz NOT NULL DEFAULT now(),
    updatedBy             text        NOT NULL,
    CONSTRAINT cronalertrule_stale_has_window CHECK (NOT ('stale' = ANY (events)) OR expectSuccessWithinMs IS NOT NULL)
);

CREATE TABLE IF NOT EXISTS cronAlertEvent
(
    id          bigserial   NOT NULL PRIMARY KEY,
    jobId       uuid        NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    executionId uuid        NULL,
    kind        text        NOT NULL CHECK (kind IN ('failed', 'timed_out', 'abandoned', 'missed', 'recovered', 'stale', 'paused')),
    -- A 'stale' event, and the 'recovered' that ends it, belong to the rule whose window it is; NULL for the others.
    ruleId      uuid        NULL REFERENCES cronAlertRule (id) ON DELETE CASCADE,
    detail      text        NULL,
    occurredAt  timestamptz NOT NULL DEFAULT now(),
    processedAt timestamptz NULL
);
-- One event per end of an attempt, however often the end is signalled (a lost reply asks again).
CREATE UNIQUE INDEX IF NOT EXISTS cronalertevent_execution_key ON cronAlertEvent (executionId, kind) WHERE executionId IS NOT NULL;
CREATE INDEX IF NOT EXISTS cronalertevent_pending_idx ON cronAlertEvent (id) WHERE processedAt IS NULL;
CREATE INDEX IF NOT EXISTS cronalertevent_job_idx ON cronAlertEvent (jobId, kind, occurredAt DESC);

CREATE TABLE IF NOT EXISTS cronAlertState
(
    ruleId     uuid        NOT NULL REFERENCES cronAlertRule (id) ON DELETE CASCADE,
    jobId      uuid        NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    kind       text        NOT NULL CHECK (kind IN ('failing', 'stale')),
    openedAt   timestamptz NOT NULL,
    lastSentAt timestamptz NOT NULL,
    -- Events since the last message that were not sent on their own (told in the next reminder or the recovery).
    suppressed integer     NOT NULL DEFAULT 0,
    -- All events of the incident.
    total      integer     NOT NULL DEFAULT 1,
    PRIMARY KEY (ruleId, jobId, kind)
);

CREATE TABLE IF NOT EXISTS cronAlertDelivery
(
    id               uuid        NOT NULL PRIMARY KEY,
    -- NULL for a test message sent from the pages.
    eventId          bigint      NULL REFERENCES cronAlertEvent (id) ON DELETE CASCADE,
    ruleId           uuid        NOT NULL REFERENCES cronAlertRule (id) ON DELETE CASCADE,
    jobId            uuid        NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    kind             text        NOT NULL CHECK (kind IN ('alert', 'reminder', 'recovered', 'paused', 'test')),
    -- The body's content, fixed when planned (a retry sends the same message); no secret is ever in it.
    payload          jsonb       NOT NULL,
    status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'given_up')),
    attempts         integer     NOT NULL DEFAULT 0,
    nextAttemptAt    timestamptz NOT NULL DEFAULT now(),
    lockedBy         text        NULL,
    lockedUntil      timestamptz NULL,
    lastAttemptAt    timestamptz NULL,
    lastResponseCode integer     NULL,
    lastError        text        NULL,
    createdAt        timestamptz NOT NULL DEFAULT now(),
    sentAt           timestamptz NULL,
    CONSTRAINT cronalertdelivery_once_per_rule UNIQUE (eventId, ruleId)
);
CREATE INDEX IF NOT EXISTS cronalertdelivery_due_idx ON cronAlertDelivery (nextAttemptAt) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS cronalertdelivery_created_idx ON cronAlertDelivery (createdAt DESC);
