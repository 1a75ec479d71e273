-- 0017: the job list sorted by name (its default order in the pages) reads jobs in index order instead of sorting every job.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on: nothing for correctness; PostgresAdminStore's job list orders by (name, slug) and this index
-- serves that order. Measured on a bench database of 100,000 jobs (docs/admin-read.md): a page of 10,000 by name sorted all
-- 100,000 rows on disk (external merge, 146 ms in PostgreSQL); with the index, 43 ms.
-- Built in the migration's transaction (not CONCURRENTLY): writes to cronJob wait for it, well under a second at 100,000 jobs.
CREATE INDEX IF NOT EXISTS cronjob_name_idx ON cronJob (name, slug);
