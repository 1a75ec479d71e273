using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Jobs;
using static Totallator.Grains.Storage.NpgsqlCommands;

namespace Totallator.Grains.Storage;

/// <summary>Job dependencies in PostgreSQL (0009_dependencies.sql).</summary>
public sealed partial class PostgresJobStore : IDependencyStore
{
    // The signals an ended attempt makes: one per downstream job (enabled, still defined) whose edge condition its status
    // meets, in the statement that ends it. `ended` is the CTE of the ended rows (id, cronJobId, occurrenceKey, status) that are
    // final. The unique constraint keeps one signal per upstream occurrence and downstream, whichever end comes first.
    internal const string SignalEnded = """
        signalled AS (
            INSERT INTO cronJobSignal (id, downstreamId, upstreamId, upstreamOccurrenceKey, upstreamExecutionId, upstreamStatus)
            SELECT gen_random_uuid(), d.id, x.cronJobId, x.occurrenceKey, x.id, x.status
            FROM ended x
            JOIN cronJob u ON u.id = x.cronJobId
            CROSS JOIN LATERAL (
                SELECT d.id FROM cronJob d
                WHERE d.after && ARRAY[u.slug || ':completion', u.slug || CASE WHEN x.status = 'succeeded' THEN ':success' ELSE ':failure' END]
                  AND d.isEnabled AND NOT d.isOrphaned) d
            WHERE x.status IN ('succeeded', 'failed', 'timed_out', 'abandoned')
              -- Only the ends of jobs that something runs after go further: one hashed set per statement, read from the small
              -- partial index of jobs with upstreams. Without it every end paid a join into cronJob (the n10000 bench's
              -- completions took four times the database time).
              AND x.cronJobId IN (SELECT j.id FROM cronJob j
                                  WHERE j.slug IN (SELECT split_part(unnest(h.after), ':', 1) FROM cronJob h WHERE cardinality(h.after) > 0))
            ON CONFLICT (downstreamId, upstreamId, upstreamOccurrenceKey) DO NOTHING
            RETURNING 1
        )
        """;

    // The end was written (not final) by CompleteExecutions, which counted it in the job's statistics then (CountStats counts
    // every end, final or not): signalling it now changes no statistics.
    internal const string SignalExecution = $"""
        WITH ended AS (
            SELECT id, cronJobId, occurrenceKey, status, completedAt FROM cronJobExecution WHERE id = @id
        ), counted AS (
            SELECT * FROM ended
        ), {SignalEnded}, {CountEnded}
        SELECT count(*) FROM signalled
        """;

    internal const string SelectPendingSignals = """
        SELECT r.id, u.slug, r.upstreamOccurrenceKey, r.upstreamExecutionId, r.upstreamStatus, r.signalledAt
        FROM cronJobSignal r JOIN cronJob u ON u.id = r.upstreamId
        WHERE r.downstreamId = @jobId AND r.consumedBy IS NULL
        """;

    // The row and the consumption of every signal, or nothing: the signals are locked first, and the insert happens only if
    // all of them were still pending (a claim that got there first has consumed them). A claimant asking again after a lost
    // answer finds its own row by id. A claimant the membership declared dead claims nothing (0007).
    internal const string ClaimDependencyRun = $"""
        WITH dead AS (
            SELECT totallator_silo_declared_dead(@owner) AS isDead
        ), avail AS (
            SELECT r.id FROM cronJobSignal r, dead
            WHERE r.id = ANY(@signals::uuid[]) AND r.downstreamId = @jobId AND r.consumedBy IS NULL AND NOT dead.isDead
            ORDER BY r.id FOR UPDATE OF r
        ), ok AS (
            SELECT count(*) = cardinality(@signals::uuid[]) AS allPending FROM avail
        ), ins AS (
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, completedAt, status, triggeredBy, retryCount,
                                          statusReason, leaseOwner, leaseExpiresAt, upstreamExecutionIds)
            SELECT @id, @jobId, @key, @scheduledFor, CASE WHEN @endsAs::text IS NULL THEN NULL ELSE @scheduledFor END,
                   COALESCE(@endsAs::text, 'claimed'), 'dependency', 0, @reason, @owner,
                   CASE WHEN @endsAs::text IS NULL THEN now() + @leaseMs * interval '1 millisecond' END, @upstreams
            FROM ok WHERE ok.allPending
            ON CONFLICT (cronJobId, occurrenceKey, retryCount, scheduledFor) DO NOTHING
            RETURNING id, cronJobId, occurrenceKey, scheduledFor, retryCount, status, startedAt, completedAt, durationMs, statusReason, triggeredBy
        ), statEnds AS (
            -- A run that ends as it is claimed (skipped: its job is disabled or paused) counts as not run.
            SELECT * FROM ins WHERE status <> 'claimed'
        ), {CountStats}, consume AS (
            UPDATE cronJobSignal r SET consumedBy = i.id FROM avail a, ins i WHERE r.id = a.id
            RETURNING r.id
        )
        SELECT (SELECT isDead FROM dead),
               EXISTS (SELECT 1 FROM ins) OR EXISTS (SELECT 1 FROM cronJobExecution WHERE id = @id),
               (SELECT count(*) FROM consume)
        """;

    // A job is ready when every one of its upstreams has a pending signal, and at least one is older than the poke's grace.
    internal const string SelectReadyDownstreams = """
        SELECT d.slug FROM cronJob d
        WHERE d.id IN (SELECT downstreamId FROM cronJobSignal WHERE consumedBy IS NULL AND signalledAt < now() - @ageMs * interval '1 millisecond')
          AND cardinality(d.after) > 0
          AND NOT EXISTS (
              SELECT 1 FROM unnest(d.after) AS a(edge)
              WHERE NOT EXISTS (SELECT 1 FROM cronJobSignal r JOIN cronJob u ON u.id = r.upstreamId
                                WHERE r.downstreamId = d.id AND r.consumedBy IS NULL AND u.slug = split_part(a.edge, ':', 1)))
        ORDER BY d.slug
        """;

    // Held to the end of the transaction that changes a job's upstreams (any number fits in one key).
    internal const string LockDependencyGraph = "SELECT pg_advisory_xact_lock(7401100009)";

    internal const string SelectSlugExists = "SELECT slug FROM cronJob WHERE slug = ANY(@slugs::text[])";

    internal const string SelectDependencyGraph = """
        WITH downstream AS (SELECT slug, after FROM cronJob WHERE cardinality(after) > 0)
        SELECT slug, isEnabled, isOrphaned, invalidReason, after FROM cronJob
        WHERE cardinality(after) > 0 OR slug IN (SELECT split_part(unnest(after), ':', 1) FROM downstream)
        ORDER BY slug
        """;

    public async Task<IReadOnlyList<PendingSignal>> GetPendingSignalsAsync(Guid jobId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectPendingSignals);
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        return await cmd.ReadAllAsync(r => new PendingSignal(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetGuid(3),
            ExecutionStatusText.Parse(r.GetString(4)), r.GetFieldValue<DateTimeOffset>(5)), cancellationToken);
    }

    public async Task<bool> ClaimDependencyRunAsync(DependencyClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        var c = claim.Claim;
        await using var cmd = dataSource.CreateCommand(ClaimDependencyRun);
        cmd.Parameters.Add(Param("owner", NpgsqlDbType.Text, c.LeaseOwner));
        cmd.Parameters.Add(Param("signals", NpgsqlDbType.Array | NpgsqlDbType.Uuid, claim.Consumes.ToArray()));
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, c.CronJobId));
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, c.ExecutionId));
        cmd.Parameters.Add(Param("key", NpgsqlDbType.Text, c.OccurrenceKey));
        cmd.Parameters.Add(Param("scheduledFor", NpgsqlDbType.TimestampTz, c.ScheduledFor));
        cmd.Parameters.Add(Param("endsAs", NpgsqlDbType.Text, claim.EndsAs?.ToText()));
        cmd.Parameters.Add(Param("reason", NpgsqlDbType.Text, c.StatusReason));
        cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Double, c.LeaseDuration.TotalMilliseconds));
        cmd.Parameters.Add(Param("upstreams", NpgsqlDbType.Array | NpgsqlDbType.Uuid, claim.UpstreamExecutionIds.ToArray()));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetBoolean(0) ? throw DeclaredDead(c.LeaseOwner) : reader.GetBoolean(1);
    }

    public async Task SignalDownstreamAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SignalExecution);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, executionId));
        await cmd.ExecuteScalarAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> FindReadyDownstreamsAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectReadyDownstreams);
        cmd.Parameters.Add(Param("ageMs", NpgsqlDbType.Double, olderThan.TotalMilliseconds));
        return await cmd.ReadAllAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlyList<DependencyNode>> GetDependencyGraphAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectDependencyGraph);
        return await cmd.ReadAllAsync(ReadNode, cancellationToken);
    }

    private static DependencyNode ReadNode(NpgsqlDataReader r) =>
        new(r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.IsDBNull(3) ? null : r.GetString(3), UpstreamList.FromStored(r.GetFieldValue<string[]>(4)));
}
