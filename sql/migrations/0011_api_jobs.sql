-- 0011: jobs that admins create from job types through the API and the pages. A developer registers a job type with typed
-- parameters (AddCronJobType<TJob, TParameters>); an admin creates jobs of it, each with its own slug, schedule and parameters.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on (PostgresJobStore.ApiJobs):
--   * source 'api' marks such a job; jobType and parameters are set exactly for those (a JSON object, secrets included: the
--     database keeps them as configuration keeps a command job's; the API and the audit rows never show them);
--   * the start-up sync never orphans an 'api' job (no definition names it) and refuses a definition whose slug an 'api' job
--     holds: the silo does not start, with a message that names the job;
--   * deleting is soft: deletedAt/deletedBy set, isOrphaned and not enabled, so nothing schedules it again, and its history
--     stays under its id and slug. The slug stays taken by it; the name is freed for a new job.

ALTER TABLE cronJob DROP CONSTRAINT IF EXISTS cronjob_source_check;
ALTER TABLE cronJob ADD CONSTRAINT cronjob_source_check CHECK (source IN ('code', 'configuration', 'api'));

ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS jobType text NULL;
ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS parameters jsonb NULL;
ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS deletedAt timestamptz NULL;
ALTER TABLE cronJob ADD COLUMN IF NOT EXISTS deletedBy text NULL;

ALTER TABLE cronJob DROP CONSTRAINT IF EXISTS cronjob_api_has_type;
ALTER TABLE cronJob ADD CONSTRAINT cronjob_api_has_type
    CHECK ((source = 'api') = (jobType IS NOT NULL AND parameters IS NOT NULL AND jsonb_typeof(parameters) = 'object'));
ALTER TABLE cronJob DROP CONSTRAINT IF EXISTS cronjob_deleted_api_only;
ALTER TABLE cronJob ADD CONSTRAINT cronjob_deleted_api_only
    CHECK (deletedAt IS NULL OR (source = 'api' AND isOrphaned AND NOT isEnabled));

-- Names are unique among the jobs not deleted: a deleted job keeps its history, not its name.
ALTER TABLE cronJob DROP CONSTRAINT IF EXISTS cronjob_name_key;
CREATE UNIQUE INDEX IF NOT EXISTS cronjob_name_key ON cronJob (name) WHERE deletedAt IS NULL;
