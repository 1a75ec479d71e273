-- 0005: admin. The audit trail of admin changes (cronAudit), API keys stored hashed (cronApiKey), the idempotency keys of
-- manual triggers (cronTriggerRequest), and the defaults of new jobs in cronJobConfig.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on (Totallator.Grains.Storage.PostgresAdminStore, PostgresJobStore.UpdateJob):
--   * cronAudit.action is free text from a fixed C# vocabulary (job.update, job.enable, job.disable, job.trigger,
--     execution.cancel, settings.update, executions.cleanup, apikey.create, apikey.revoke); oldValues/newValues are jsonb
--     objects keyed by camelCase field names. An audit row is written in the same statement or transaction as its change;
--   * cronApiKey.name is UNIQUE (constraint cronapikey_name_key: a duplicate becomes "name is taken"); role is one of
--     viewer/operator/admin (AdminRole); keyHash is lower-case hex SHA-256, never the key itself;
--   * cronTriggerRequest's primary key (jobId, userId, idempotencyKey) is the idempotency fence of manual triggers;
--     rows older than 24 h are deleted by the history cleanup;
--   * cronJobConfig keys defaultTimeZone, defaultTimeoutMs, defaultMaxRetries, defaultMisfirePolicy (stored text of
--     MisfirePolicy) seed jobs whose definition names no value.

CREATE TABLE IF NOT EXISTS cronAudit
(
    id        uuid        NOT NULL PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text        NOT NULL,
    action    text        NOT NULL,
    jobSlug   text        NULL,
    target    text        NULL,
    oldValues jsonb       NULL,
    newValues jsonb       NULL,
    requestId text        NULL
);

-- The audit page reads newest first, for everything or for one job.
CREATE INDEX IF NOT EXISTS cronaudit_at_idx ON cronAudit (at DESC);
CREATE INDEX IF NOT EXISTS cronaudit_job_at_idx ON cronAudit (jobSlug, at DESC);

CREATE TABLE IF NOT EXISTS cronApiKey
(
    id        uuid        NOT NULL PRIMARY KEY,
    name      text        NOT NULL UNIQUE,
    role      text        NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    -- The first characters of the key, to tell keys apart in lists.
    prefix    text        NOT NULL,
    keyHash   text        NOT NULL UNIQUE,
    createdAt timestamptz NOT NULL DEFAULT now(),
    createdBy text        NOT NULL,
    revokedAt timestamptz NULL,
    revokedBy text        NULL
);

CREATE TABLE IF NOT EXISTS cronTriggerRequest
(
    jobId          uuid        NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    userId         text        NOT NULL,
    idempotencyKey text        NOT NULL,
    executionId    uuid        NOT NULL,
    createdAt      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (jobId, userId, idempotencyKey)
);

-- The 24-hour deletion of old trigger requests.
CREATE INDEX IF NOT EXISTS crontriggerrequest_created_idx ON cronTriggerRequest (createdAt);

-- Job statistics list the ids of each job's running rows; without this, that would read the job's whole history.
CREATE INDEX IF NOT EXISTS cronjobexecution_running_job_idx ON cronJobExecution (cronJobId) WHERE status = 'running';

-- Defaults of new jobs; ON CONFLICT keeps values an admin has already set.
INSERT INTO cronJobConfig (key, value, updatedBy) VALUES
    ('defaultTimeZone', 'UTC', 'migration'),
    ('defaultTimeoutMs', '60000', 'migration'),
    ('defaultMaxRetries', '0', 'migration'),
    ('defaultMisfirePolicy', 'run_once', 'migration')
ON CONFLICT (key) DO NOTHING;
