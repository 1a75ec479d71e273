-- =====================================================================================================================
-- 0001_orleans_clustering_and_reminders.sql
--
-- Schema and query text for the Orleans 10.4.2 ADO.NET providers used by Totallator Cron:
--   * Microsoft.Orleans.Clustering.AdoNet  (silo membership + client gateway discovery)
--   * Microsoft.Orleans.Reminders.AdoNet   (reminder table)
-- with Invariant "Npgsql" on PostgreSQL 15.
--
-- WHO RUNS IT
--   The silo's migrator applies this file automatically at start-up with DbUp (dbup-postgresql), as one script in one
--   transaction. It is embedded in the Grains assembly. Migrations are forward-only: never edit this file after it has
--   shipped; add a new numbered script instead. The script is still written to be safe to run again (IF NOT EXISTS,
--   CREATE OR REPLACE, ON CONFLICT DO UPDATE) so a manual re-run or a half-restored database does no harm.
--   Plain SQL only: no psql meta-commands, no tagged dollar quotes (DbUp would treat a dollar-word-dollar token as one
--   of its variables), and function bodies use bare double-dollar quoting.
--
-- WHAT THE C# PROVIDERS DEPEND ON (the contract: do not rename anything below without checking it against the providers)
--   * The providers run exactly "SELECT QueryKey, QueryText FROM OrleansQuery" (unquoted, so it resolves to the
--     lower-case table orleansquery with columns querykey / querytext on the search_path). Keys are matched
--     ordinally and case-sensitively; every required key must exist or the silo/client refuses to start.
--     Processes load the query text once, so restart them after changing a row.
--   * Clustering keys (9 required + 1 optional): InsertMembershipVersionKey, MembershipReadAllKey,
--     MembershipReadRowKey, InsertMembershipKey, UpdateMembershipKey, UpdateIAmAlivetimeKey (lower-case "t"),
--     GatewaysQueryKey, DeleteMembershipTableEntriesKey, CleanupDefunctSiloEntriesKey, and the optional
--     CleanupDefunctSiloEntryKey (its presence switches the provider to per-row cleanup).
--   * Reminder keys (7): ReadReminderRowsKey, ReadReminderRowKey, ReadRangeRows1Key, ReadRangeRows2Key,
--     UpsertReminderRowKey, DeleteReminderRowKey, DeleteReminderRowsKey.
--   * Parameters are referenced as at-sign + name exactly as the provider binds them (DeploymentId, Address, Port,
--     Generation, SiloName, HostName, Status, ProxyPort, SuspectTimes, StartTime, IAmAliveTime, Version, ServiceId,
--     GrainId, ReminderName, GrainHash, BeginHash, EndHash, Period); Npgsql rewrites them to positional parameters.
--     Int32 values arrive as integer, times as timestamptz (UTC), strings as text, Period as int4 OR int8, so the
--     functions take integer / timestamptz / text and bigint for the period.
--   * Result columns are read by name (case-insensitive): membership reads return address, port, generation,
--     siloname, hostname, status, proxyport, suspecttimes, starttime, iamalivetime, version; gateways return address,
--     proxyport, generation; reminder reads return grainid, remindername, starttime, period, version.
--   * Boolean-style results (version insert, member insert/update, reminder delete) are exactly one row with exactly
--     one non-NULL integer column (1 = success, 0 = no change). The reminder upsert returns one row with a column
--     named version: 0 when the row was inserted, previous version + 1 when it was updated.
--   * Membership reads return the deployment's version row LEFT JOINed to its members (one row with NULL member
--     columns when there are no members); the provider takes the table version from the first row.
--
-- ATOMICITY
--   The providers never open a transaction; each query runs in its own implicit transaction and a statement that
--   matches 0 rows does not roll anything back. So:
--   * Conditional writes live in PL/pgSQL functions. Nothing relies on ASSERT (plpgsql.check_asserts may be off).
--   * orleans_membership_insert / orleans_membership_update first bump the version row with
--     "WHERE version = p_version". That UPDATE takes the row lock, so two writers holding the same version are
--     serialised: the second re-checks the condition after the first commits, matches 0 rows and returns 0 having
--     written nothing. The member write follows inside the same exception block (a sub-transaction): a duplicate
--     member (unique_violation) or a missing member row (raised no_data_found) is caught, the sub-transaction is
--     rolled back, which undoes the version bump, and the function returns 0. Success returns 1.
--   * The version-row insert and the reminder upsert are single INSERT .. ON CONFLICT statements; the reminder delete
--     is a single DELETE with the version in its WHERE clause. Each is atomic on its own.
--   * Membership reads are single statements, so the version and the members come from one snapshot.
--   * Lock order is always version row first, then member rows (insert, update, and the cluster reset, which deletes
--     the version row and lets ON DELETE CASCADE remove the members). Heartbeats and cleanup touch member rows only
--     and never the version row, so they do not bump the version.
--   * Versions are non-negative int4 (CHECK constraints). They would overflow after 2^31-1 writes, which raises an
--     error rather than wrapping.
--   * Defunct-silo cleanup only deletes rows with status 6 (Dead) whose iamalivetime and starttime are both before the
--     cutoff and which carry no suspicion votes; Active rows are never deleted. The per-row variant deletes a row only
--     if it still matches what the provider read (suspecttimes compared NULL-safely, NULL treated as empty).
--   * Function signatures are part of the query text contract: to change one in a later migration, DROP FUNCTION the
--     old signature first (CREATE OR REPLACE cannot change argument or return types).
-- =====================================================================================================================


-- ---------------------------------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------------------------------

-- Query text for every ADO.NET provider (name and columns fixed by Orleans). Other providers may add their own keys.
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  text NOT NULL PRIMARY KEY,
    querytext text NOT NULL
);

-- One row per cluster (DeploymentId = ClusterOptions.ClusterId): the optimistic-concurrency version of the membership
-- table. updatedat is informational only and never read by Orleans.
CREATE TABLE IF NOT EXISTS orleansmembershipversiontable
(
    deploymentid text        NOT NULL PRIMARY KEY,
    version      integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    updatedat    timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation. address is text (never inet: the provider casts the value to string).
CREATE TABLE IF NOT EXISTS orleansmembershiptable
(
    deploymentid text        NOT NULL REFERENCES orleansmembershipversiontable (deploymentid) ON DELETE CASCADE,
    address      text        NOT NULL,
    port         integer     NOT NULL,
    generation   integer     NOT NULL,
    siloname     text        NOT NULL,
    hostname     text        NOT NULL,
    status       integer     NOT NULL,
    proxyport    integer     NOT NULL DEFAULT 0,
    suspecttimes text        NULL,
    starttime    timestamptz NOT NULL,
    iamalivetime timestamptz NOT NULL,
    PRIMARY KEY (deploymentid, address, port, generation)
);

-- One row per reminder. grainhash is the provider's signed Int32 (values >= 2^31 are stored negative), period is in
-- milliseconds and may exceed int4.
CREATE TABLE IF NOT EXISTS orleansremindertable
(
    serviceid    text        NOT NULL,
    grainid      text        NOT NULL,
    remindername text        NOT NULL,
    starttime    timestamptz NOT NULL,
    period       bigint      NOT NULL,
    grainhash    integer     NOT NULL,
    version      integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    PRIMARY KEY (serviceid, grainid, remindername)
);

-- Range reads (ReadRangeRows1Key / ReadRangeRows2Key) filter on serviceid and a grainhash interval.
CREATE INDEX IF NOT EXISTS orleansremindertable_serviceid_grainhash_idx
    ON orleansremindertable (serviceid, grainhash);


-- ---------------------------------------------------------------------------------------------------------------------
-- Functions for the conditional writes
-- ---------------------------------------------------------------------------------------------------------------------

-- InsertMembershipVersionKey: create the cluster's version row (version 0) unless it exists.
-- Returns 1 if a row was inserted, 0 if it already existed. Never raises on an existing row.
CREATE OR REPLACE FUNCTION orleans_membership_version_insert(p_deploymentid text)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO orleansmembershipversiontable (deploymentid, version, updatedat)
    VALUES (p_deploymentid, 0, now())
    ON CONFLICT (deploymentid) DO NOTHING;

    IF FOUND THEN
        RETURN 1;
    END IF;
    RETURN 0;
END;
$$;

-- InsertMembershipKey: all or nothing. Succeeds only if the version row holds p_version AND no member with this
-- identity exists; then inserts the member (suspecttimes NULL), adds 1 to the version and returns 1.
-- Otherwise writes nothing and returns 0.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_siloname     text,
    p_hostname     text,
    p_status       integer,
    p_proxyport    integer,
    p_starttime    timestamptz,
    p_iamalivetime timestamptz,
    p_version      integer)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Claim the version. The row lock serialises concurrent writers; a loser re-checks and matches 0 rows.
    UPDATE orleansmembershipversiontable
       SET version   = version + 1,
           updatedat = now()
     WHERE deploymentid = p_deploymentid
       AND version = p_version;

    IF NOT FOUND THEN
        RETURN 0;  -- stale or unknown version: nothing was written
    END IF;

    -- A duplicate identity raises unique_violation; the handler below rolls back this whole block,
    -- including the version bump above.
    INSERT INTO orleansmembershiptable
        (deploymentid, address, port, generation, siloname, hostname, status, proxyport,
         suspecttimes, starttime, iamalivetime)
    VALUES
        (p_deploymentid, p_address, p_port, p_generation, p_siloname, p_hostname, p_status, p_proxyport,
         NULL, p_starttime, p_iamalivetime);

    RETURN 1;
EXCEPTION
    WHEN unique_violation THEN
        RETURN 0;  -- sub-transaction rolled back: no member row, version unchanged
END;
$$;

-- UpdateMembershipKey: all or nothing. Succeeds only if the version row holds p_version AND the member exists; then
-- sets status, suspecttimes and iamalivetime (never starttime, siloname, hostname, proxyport), adds 1 to the version
-- and returns 1. Otherwise writes nothing and returns 0.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deploymentid text,
    p_address      text,
    p_port         integer,
    p_generation   integer,
    p_status       integer,
    p_suspecttimes text,
    p_iamalivetime timestamptz,
    p_version      integer)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
BEGIN
    -- Claim the version. The row lock serialises concurrent writers; a loser re-checks and matches 0 rows.
    UPDATE orleansmembershipversiontable
       SET version   = version + 1,
           updatedat = now()
     WHERE deploymentid = p_deploymentid
       AND version = p_version;

    IF NOT FOUND THEN
        RETURN 0;  -- stale or unknown version: nothing was written
    END IF;

    UPDATE orleansmembershiptable
       SET status       = p_status,
           suspecttimes = p_suspecttimes,
           iamalivetime = p_iamalivetime
     WHERE deploymentid = p_deploymentid
       AND address = p_address
       AND port = p_port
       AND generation = p_generation;

    IF NOT FOUND THEN
        -- Missing member: raise so the handler rolls back the version bump above.
        RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = 'orleans_membership_update: member row not found';
    END IF;

    RETURN 1;
EXCEPTION
    WHEN no_data_found THEN
        RETURN 0;  -- sub-transaction rolled back: version unchanged
END;
$$;

-- UpsertReminderRowKey: insert the reminder with version 0, or unconditionally update starttime, period and grainhash
-- and add 1 to the version. One atomic INSERT .. ON CONFLICT statement. Returns the row's new version.
CREATE OR REPLACE FUNCTION orleans_reminder_upsert(
    p_serviceid    text,
    p_grainhash    integer,
    p_grainid      text,
    p_remindername text,
    p_starttime    timestamptz,
    p_period       bigint)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    v_version integer;
BEGIN
    INSERT INTO orleansremindertable AS r
        (serviceid, grainid, remindername, starttime, period, grainhash, version)
    VALUES
        (p_serviceid, p_grainid, p_remindername, p_starttime, p_period, p_grainhash, 0)
    ON CONFLICT (serviceid, grainid, remindername) DO UPDATE
        SET starttime = EXCLUDED.starttime,
            period    = EXCLUDED.period,
            grainhash = EXCLUDED.grainhash,
            version   = r.version + 1
    RETURNING r.version INTO v_version;

    RETURN v_version;
END;
$$;

-- DeleteReminderRowKey: delete the reminder only if its stored version equals p_version.
-- Returns 1 if a row was deleted, 0 if it was missing or the version differed.
CREATE OR REPLACE FUNCTION orleans_reminder_delete(
    p_serviceid    text,
    p_grainid      text,
    p_remindername text,
    p_version      integer)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
BEGIN
    DELETE FROM orleansremindertable
     WHERE serviceid = p_serviceid
       AND grainid = p_grainid
       AND remindername = p_remindername
       AND version = p_version;

    IF FOUND THEN
        RETURN 1;
    END IF;
    RETURN 0;
END;
$$;


-- ---------------------------------------------------------------------------------------------------------------------
-- Query text. Re-running replaces the text of existing keys.
-- ---------------------------------------------------------------------------------------------------------------------

INSERT INTO orleansquery (querykey, querytext)
VALUES
-- ----- Clustering ----------------------------------------------------------------------------------------------------
(
    'InsertMembershipVersionKey',
    'SELECT orleans_membership_version_insert(@DeploymentId) AS inserted'
),
(
    'MembershipReadAllKey',
    'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
       m.suspecttimes, m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m
         ON m.deploymentid = v.deploymentid
 WHERE v.deploymentid = @DeploymentId'
),
(
    'MembershipReadRowKey',
    'SELECT v.deploymentid, m.address, m.port, m.generation, m.siloname, m.hostname, m.status, m.proxyport,
       m.suspecttimes, m.starttime, m.iamalivetime, v.version
  FROM orleansmembershipversiontable v
  LEFT JOIN orleansmembershiptable m
         ON m.deploymentid = v.deploymentid
        AND m.address = @Address
        AND m.port = @Port
        AND m.generation = @Generation
 WHERE v.deploymentid = @DeploymentId'
),
(
    'InsertMembershipKey',
    'SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
       @ProxyPort, @StartTime, @IAmAliveTime, @Version) AS inserted'
),
(
    'UpdateMembershipKey',
    'SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
       @IAmAliveTime, @Version) AS updated'
),
(
    'UpdateIAmAlivetimeKey',
    'UPDATE orleansmembershiptable
   SET iamalivetime = @IAmAliveTime
 WHERE deploymentid = @DeploymentId
   AND address = @Address
   AND port = @Port
   AND generation = @Generation'
),
(
    'GatewaysQueryKey',
    'SELECT address, proxyport, generation
  FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId
   AND status = @Status
   AND proxyport > 0'
),
(
    'DeleteMembershipTableEntriesKey',
    'DELETE FROM orleansmembershipversiontable
 WHERE deploymentid = @DeploymentId'
),
(
    'CleanupDefunctSiloEntriesKey',
    'DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId
   AND status = 6
   AND iamalivetime < @IAmAliveTime
   AND starttime < @IAmAliveTime
   AND (suspecttimes IS NULL OR suspecttimes = '''')'
),
(
    'CleanupDefunctSiloEntryKey',
    'DELETE FROM orleansmembershiptable
 WHERE deploymentid = @DeploymentId
   AND address = @Address
   AND port = @Port
   AND generation = @Generation
   AND status = 6
   AND starttime = @StartTime
   AND iamalivetime = @IAmAliveTime
   AND coalesce(suspecttimes, '''') = coalesce(@SuspectTimes, '''')'
),
-- ----- Reminders -----------------------------------------------------------------------------------------------------
(
    'ReadReminderRowsKey',
    'SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId
   AND grainid = @GrainId'
),
(
    'ReadReminderRowKey',
    'SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId
   AND grainid = @GrainId
   AND remindername = @ReminderName'
),
(
    'ReadRangeRows1Key',
    'SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId
   AND grainhash > @BeginHash
   AND grainhash <= @EndHash'
),
(
    'ReadRangeRows2Key',
    'SELECT grainid, remindername, starttime, period, version
  FROM orleansremindertable
 WHERE serviceid = @ServiceId
   AND (grainhash > @BeginHash OR grainhash <= @EndHash)'
),
(
    'UpsertReminderRowKey',
    'SELECT orleans_reminder_upsert(@ServiceId, @GrainHash, @GrainId, @ReminderName, @StartTime, @Period) AS version'
),
(
    'DeleteReminderRowKey',
    'SELECT orleans_reminder_delete(@ServiceId, @GrainId, @ReminderName, @Version) AS deleted'
),
(
    'DeleteReminderRowsKey',
    'DELETE FROM orleansremindertable
 WHERE serviceid = @ServiceId'
)
ON CONFLICT (querykey) DO UPDATE
    SET querytext = EXCLUDED.querytext;
