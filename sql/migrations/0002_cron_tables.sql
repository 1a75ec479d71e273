-- 0002: Totallator's own tables: cronJob (definition + live config), cronJobExecution (the occurrence ledger and history),
-- cronJobConfig (global settings).
--
-- Who runs it: nobody by hand. Every silo started with ConnectionStrings:Postgres applies pending migrations under a
-- PostgreSQL advisory lock (so several silos starting at once apply each script once), and `Totallator.Silo migrate`
-- applies them explicitly. Forward-only: never edit a script that has shipped; add the next number.
--
-- What the C# code depends on (Totallator.Grains.Storage.PostgresJobStore):
--   * names are unquoted, so PostgreSQL folds them to lower case (cronjob, cronjobexecution, ...);
--   * cronJobExecution (cronJobId, occurrenceKey, retryCount) is UNIQUE: it is the fence. An occurrence is claimed by
--     inserting its row; a second claimant (a duplicate activation during a partition, a replayed tick) inserts nothing;
--   * status and triggeredBy vocabularies below match ExecutionStatusText / TriggerSourceText;
--   * leaseExpiresAt is always computed from the database clock (now()), never a silo's clock.

CREATE TABLE IF NOT EXISTS cronJob
(
    id                uuid        NOT NULL PRIMARY KEY,
    slug              text        NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name              text        NOT NULL UNIQUE,
    description       text        NOT NULL DEFAULT '',
    schedule          text        NOT NULL,
    timeZone          text        NOT NULL DEFAULT 'UTC',
    isEnabled         boolean     NOT NULL DEFAULT true,
    timeoutMs         integer     NOT NULL CHECK (timeoutMs > 0),
    maxRetries        integer     NOT NULL DEFAULT 0 CHECK (maxRetries >= 0),
    misfirePolicy     text        NOT NULL DEFAULT 'run_once' CHECK (misfirePolicy IN ('run_once', 'skip', 'run_all')),
    misfireRunAllCap  integer     NOT NULL DEFAULT 10 CHECK (misfireRunAllCap > 0),
    -- Where the definition lives: 'code' or 'configuration'. Jobs gone from both are kept (history intact) and orphaned.
    source            text        NOT NULL DEFAULT 'code' CHECK (source IN ('code', 'configuration')),
    isOrphaned        boolean     NOT NULL DEFAULT false,
    -- Fields an admin changed (schedule, timeZone, timeoutMs, maxRetries, misfirePolicy, isEnabled): start-up sync
    -- leaves them alone, so admin changes survive restarts while untouched fields follow the code.
    overriddenFields  text[]      NOT NULL DEFAULT '{}',
    -- Why the job cannot be scheduled (bad expression, unknown zone, never fires, unset variable); NULL when valid.
    invalidReason     text        NULL,
    -- The latest occurrence the scheduler dealt with (ran, skipped or recorded missed). Misfire handling after
    -- downtime starts from here; Orleans reminders never replay missed ticks, so this is the only memory of them.
    lastScheduledFor  timestamptz NULL,
    -- Optimistic concurrency for admin edits (ETag).
    version           integer     NOT NULL DEFAULT 0,
    createdAt         timestamptz NOT NULL DEFAULT now(),
    updatedAt         timestamptz NOT NULL DEFAULT now(),
    createdBy         text        NULL,
    lastModifiedBy    text        NULL
);

CREATE TABLE IF NOT EXISTS cronJobExecution
(
    id                uuid             NOT NULL PRIMARY KEY,
    cronJobId         uuid             NOT NULL REFERENCES cronJob (id) ON DELETE CASCADE,
    -- Identity of the occurrence, shared by all its attempts: 's:<instant>' for scheduled and catch-up runs,
    -- 'm:<guid>' for a manual run.
    occurrenceKey     text             NOT NULL,
    scheduledFor      timestamptz      NOT NULL,
    startedAt         timestamptz      NULL,
    completedAt       timestamptz      NULL,
    durationMs        bigint           NULL,
    status            text             NOT NULL CHECK (status IN
                          ('running', 'succeeded', 'failed', 'timed_out', 'skipped', 'missed', 'abandoned')),
    exitCode          integer          NULL,
    output            text             NULL,
    errorMessage      text             NULL,
    stackTrace        text             NULL,
    triggeredBy       text             NOT NULL CHECK (triggeredBy IN ('scheduler', 'manual', 'retry', 'catch-up')),
    triggeredByUserId text             NULL,
    retryCount        integer          NOT NULL DEFAULT 0 CHECK (retryCount >= 0),
    memoryUsageMb     double precision NULL,
    cpuUsagePercent   double precision NULL,
    -- Items processed and any other figures the job reported.
    itemsProcessed    bigint           NULL,
    metrics           jsonb            NULL,
    -- Why a row is skipped, missed or abandoned, or a note such as a manual override of a running execution.
    statusReason      text             NULL,
    -- The silo running it and until when its lease holds (database clock). A sweeper marks running rows whose lease
    -- expired as abandoned.
    leaseOwner        text             NULL,
    leaseExpiresAt    timestamptz      NULL,
    CONSTRAINT cronjobexecution_occurrence_attempt_unique UNIQUE (cronJobId, occurrenceKey, retryCount),
    CONSTRAINT cronjobexecution_running_has_lease CHECK (status <> 'running' OR leaseExpiresAt IS NOT NULL)
);

-- History pages and statistics read one job's newest rows first.
CREATE INDEX IF NOT EXISTS cronjobexecution_job_scheduled_idx ON cronJobExecution (cronJobId, scheduledFor DESC);
-- The abandoned-run sweeper only looks at running rows.
CREATE INDEX IF NOT EXISTS cronjobexecution_running_lease_idx ON cronJobExecution (leaseExpiresAt) WHERE status = 'running';
-- Retention cleanup deletes by completion time.
CREATE INDEX IF NOT EXISTS cronjobexecution_completed_idx ON cronJobExecution (completedAt);

CREATE TABLE IF NOT EXISTS cronJobConfig
(
    key       text        NOT NULL PRIMARY KEY,
    value     text        NOT NULL,
    updatedAt timestamptz NOT NULL DEFAULT now(),
    updatedBy text        NULL
);

-- Defaults; ON CONFLICT keeps values an admin has already set.
INSERT INTO cronJobConfig (key, value, updatedBy) VALUES
    ('historyRetentionDays', '30', 'migration'),
    ('schedulingPaused', 'false', 'migration')
ON CONFLICT (key) DO NOTHING;
