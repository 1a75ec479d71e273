-- 0012: when each API key was last used, for the keys page (an unused key is a candidate for revoking).
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on (PostgresAdminStore.FindActiveApiKey): a key's check writes lastUsedAt only when it is empty or
-- older than a minute, so a busy key costs at most one write a minute per AdminApi process (each caches a key's check for
-- Admin:KeyCacheDuration); lastUsedAt is therefore exact to a minute.

ALTER TABLE cronApiKey ADD COLUMN IF NOT EXISTS lastUsedAt timestamptz NULL;
