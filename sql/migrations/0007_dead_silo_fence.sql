-- 0007: claims by a dead silo are refused. A silo that the membership has declared dead (orleansmembershiptable.status 6)
-- but that has not learnt it yet (evicted while cut off from its peers, not from PostgreSQL) would go on claiming and
-- starting occurrences for seconds beside the survivors that took over its jobs. The claim statement and a job's load (which
-- takes over handed-over claims) ask this function about the claiming silo and refuse it when it is dead.
--
-- Who runs it: the silos at start-up, like every migration (see 0002's header).
-- What the C# code depends on: a lease owner is written by SiloAddress.ToString(): 'S<host>:<port>:<generation>', with the
-- host in brackets for IPv6. Anything else (tests use plain names) is never dead.

CREATE OR REPLACE FUNCTION totallator_silo_declared_dead(owner text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1
        FROM regexp_match(owner, '^S\[?(.+?)\]?:([0-9]+):(-?[0-9]+)$') AS o(p)
        JOIN orleansmembershiptable m ON m.address = o.p[1] AND m.port = o.p[2]::int AND m.generation = o.p[3]::int
        WHERE m.status = 6)
$$;
