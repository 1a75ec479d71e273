using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using static Totallator.Grains.Storage.NpgsqlCommands;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The PostgreSQL job store. Every statement is one round trip; the claim and its schedule bookkeeping share one.</summary>
public sealed partial class PostgresJobStore(NpgsqlDataSource dataSource) : IJobStore
{
    private const string SyncUser = "definition-sync";

    public async Task SyncDefinitionsAsync(IReadOnlyList<CronJobDefinition> definitions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        await InsertNewAsync(definitions, now, cancellationToken);
        // Existing rows: compare in C# and update under the row's version, so an admin change made meanwhile is never overwritten.
        for (var attempt = 0; ; attempt++)
        {
            var existing = (await ListJobsAsync(cancellationToken)).ToDictionary(j => j.Slug, StringComparer.Ordinal);
            if (attempt == 0)
            {
                DefinitionSync.CheckSlugsFree(definitions, existing);
                DefinitionSync.CheckDependencies(definitions, existing.Values);
            }
            var conflicts = 0;
            foreach (var definition in definitions)
            {
                if (existing.TryGetValue(definition.Slug, out var row) && DefinitionSync.Merge(row, definition, now) is { } merged
                    && !await TryUpdateSyncedAsync(merged, row.Version, now, cancellationToken))
                {
                    conflicts++;
                }
            }
            if (conflicts == 0 || attempt >= 5)
            {
                break;
            }
        }
        await using var orphan = dataSource.CreateCommand(MarkOrphans);
        orphan.Parameters.Add(Param("slugs", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.Slug).ToArray()));
        orphan.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        orphan.Parameters.Add(Param("by", NpgsqlDbType.Text, SyncUser));
        await orphan.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task InsertNewAsync(IReadOnlyList<CronJobDefinition> definitions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(InsertNewJobs);
        cmd.Parameters.Add(Param("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, definitions.Select(_ => Guid.CreateVersion7()).ToArray()));
        cmd.Parameters.Add(Param("slugs", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.Slug).ToArray()));
        cmd.Parameters.Add(Param("names", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.Name).ToArray()));
        cmd.Parameters.Add(Param("descriptions", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.Description).ToArray()));
        cmd.Parameters.Add(Param("schedules", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.Schedule).ToArray()));
        cmd.Parameters.Add(Param("timeZones", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.TimeZone).ToArray()));
        cmd.Parameters.Add(Param("enabled", NpgsqlDbType.Array | NpgsqlDbType.Boolean, definitions.Select(d => d.Enabled).ToArray()));
        cmd.Parameters.Add(Param("timeouts", NpgsqlDbType.Array | NpgsqlDbType.Integer, definitions.Select(d => d.TimeoutMs).ToArray()));
        cmd.Parameters.Add(Param("retries", NpgsqlDbType.Array | NpgsqlDbType.Integer, definitions.Select(d => d.MaxRetries).ToArray()));
        cmd.Parameters.Add(Param("policies", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.MisfirePolicy?.ToText()).ToArray()));
        cmd.Parameters.Add(Param("caps", NpgsqlDbType.Array | NpgsqlDbType.Integer, definitions.Select(d => d.MisfireRunAllCap).ToArray()));
        cmd.Parameters.Add(Param("sources", NpgsqlDbType.Array | NpgsqlDbType.Text, definitions.Select(d => d.Source).ToArray()));
        cmd.Parameters.Add(Param("afters", NpgsqlDbType.Array | NpgsqlDbType.Text,
            definitions.Select(d => string.Join(',', Dependencies.UpstreamList.ToStored(d.After))).ToArray()));
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        cmd.Parameters.Add(Param("by", NpgsqlDbType.Text, SyncUser));
        try
        {
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (IsNameTaken(ex))
        {
            throw new InvalidOperationException(
                $"A job definition's name is already used by another job in cronJob ({ex.Detail}). Job names must be unique; rename one of them.", ex);
        }
    }

    /// <summary>The unique index on the names of jobs not deleted (0011_api_jobs.sql) refused a row.</summary>
    private static bool IsNameTaken(PostgresException ex) => ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "cronjob_name_key";

    private async Task<bool> TryUpdateSyncedAsync(JobRecord merged, int version, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(UpdateSyncedJob);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, merged.Id));
        cmd.Parameters.Add(Param("version", NpgsqlDbType.Integer, version));
        cmd.Parameters.Add(Param("name", NpgsqlDbType.Text, merged.Name));
        cmd.Parameters.Add(Param("description", NpgsqlDbType.Text, merged.Description));
        cmd.Parameters.Add(Param("schedule", NpgsqlDbType.Text, merged.Schedule));
        cmd.Parameters.Add(Param("timeZone", NpgsqlDbType.Text, merged.TimeZone));
        cmd.Parameters.Add(Param("isEnabled", NpgsqlDbType.Boolean, merged.IsEnabled));
        cmd.Parameters.Add(Param("timeoutMs", NpgsqlDbType.Integer, merged.TimeoutMs));
        cmd.Parameters.Add(Param("maxRetries", NpgsqlDbType.Integer, merged.MaxRetries));
        cmd.Parameters.Add(Param("misfirePolicy", NpgsqlDbType.Text, merged.MisfirePolicy.ToText()));
        cmd.Parameters.Add(Param("misfireRunAllCap", NpgsqlDbType.Integer, merged.MisfireRunAllCap));
        cmd.Parameters.Add(Param("source", NpgsqlDbType.Text, merged.Source));
        cmd.Parameters.Add(Param("lastScheduledFor", NpgsqlDbType.TimestampTz, merged.LastScheduledFor));
        cmd.Parameters.Add(Param("after", NpgsqlDbType.Array | NpgsqlDbType.Text, Dependencies.UpstreamList.ToStored(merged.After)));
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        cmd.Parameters.Add(Param("by", NpgsqlDbType.Text, SyncUser));
        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<JobRecord?> GetJobAsync(string slug, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectJobBySlug);
        cmd.Parameters.Add(Param("slug", NpgsqlDbType.Text, slug));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
    }

    public async Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectClock);
        return new DateTimeOffset((DateTime)(await cmd.ExecuteScalarAsync(cancellationToken))!, TimeSpan.Zero);
    }

    private bool _checkedIn;

    public async Task<DateTimeOffset?> CheckInAsync(string owner, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(CheckIn);
        cmd.Parameters.Add(Param("owner", NpgsqlDbType.Text, owner));
        cmd.Parameters.Add(Param("starting", NpgsqlDbType.Boolean, !_checkedIn));
        var at = await cmd.ExecuteScalarAsync(cancellationToken);
        _checkedIn = true;
        return at is DateTime seen ? new DateTimeOffset(seen, TimeSpan.Zero) : null;
    }

    public async Task<DeadSiloFence?> FenceDeadSiloAsync(string owner, TimeSpan startWindow, string reason, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(FenceDeadSilo);
        cmd.Parameters.Add(Param("owner", NpgsqlDbType.Text, owner));
        cmd.Parameters.Add(Param("windowMs", NpgsqlDbType.Double, startWindow.TotalMilliseconds));
        cmd.Parameters.Add(Param("reason", NpgsqlDbType.Text, reason));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        DateTimeOffset? lastSeen = reader.IsDBNull(0) ? null : new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero);
        return new DeadSiloFence(lastSeen, (int)reader.GetInt64(1), reader.GetFieldValue<string[]>(2));
    }

    public async Task<IReadOnlyList<JobRecord>> ListJobsAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectAllJobs);
        return await cmd.ReadAllAsync(ReadJob, cancellationToken);
    }

    public async Task<JobRecord> UpdateJobAsync(string slug, JobUpdate update, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(update);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (update.After is { } after)
        {
            // New edges are checked against the graph as it stands, under a lock every edge change takes: two changes that
            // each close half of a cycle cannot both pass their checks.
            await using (var lockGraph = new NpgsqlCommand(LockDependencyGraph, connection, transaction))
            {
                await lockGraph.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var read = new NpgsqlCommand(SelectDependencyGraph + ";" + SelectSlugExists, connection, transaction);
            read.Parameters.Add(Param("slugs", NpgsqlDbType.Array | NpgsqlDbType.Text, after.Select(u => u.Slug).ToArray()));
            IReadOnlyList<Dependencies.DependencyNode> graph;
            HashSet<string> existing;
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                graph = await reader.ReadRowsAsync(ReadNode, cancellationToken);
                await reader.NextResultAsync(cancellationToken);
                existing = (await reader.ReadRowsAsync(r => r.GetString(0), cancellationToken)).ToHashSet(StringComparer.Ordinal);
            }
            Dependencies.DependencyChecks.ThrowIfRefused(slug, after, graph, existing.Contains);
        }
        var job = await UpdateJobRowAsync(connection, transaction, slug, update, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return job;
    }

    private static async Task<JobRecord> UpdateJobRowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string slug, JobUpdate update,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(UpdateJob, connection, transaction);
        cmd.Parameters.Add(Param("slug", NpgsqlDbType.Text, slug));
        cmd.Parameters.Add(Param("schedule", NpgsqlDbType.Text, update.Schedule));
        cmd.Parameters.Add(Param("timeZone", NpgsqlDbType.Text, update.TimeZone));
        cmd.Parameters.Add(Param("timeoutMs", NpgsqlDbType.Integer, update.TimeoutMs));
        cmd.Parameters.Add(Param("maxRetries", NpgsqlDbType.Integer, update.MaxRetries));
        cmd.Parameters.Add(Param("misfirePolicy", NpgsqlDbType.Text, update.MisfirePolicy?.ToText()));
        cmd.Parameters.Add(Param("isEnabled", NpgsqlDbType.Boolean, update.IsEnabled));
        cmd.Parameters.Add(Param("after", NpgsqlDbType.Array | NpgsqlDbType.Text, update.After is { } a ? Dependencies.UpstreamList.ToStored(a) : null));
        cmd.Parameters.Add(Param("fields", NpgsqlDbType.Array | NpgsqlDbType.Text, DefinitionSync.ChangedFields(update).ToArray()));
        cmd.Parameters.Add(Param("overridden", NpgsqlDbType.Array | NpgsqlDbType.Text, DefinitionSync.OverriddenBy(update, fromApi: false).ToArray()));
        cmd.Parameters.Add(Param("name", NpgsqlDbType.Text, update.Name));
        cmd.Parameters.Add(Param("description", NpgsqlDbType.Text, update.Description));
        cmd.Parameters.Add(Param("parameters", NpgsqlDbType.Text, update.ParametersJson));
        cmd.Parameters.Add(Param("pauseAfterFailures", NpgsqlDbType.Integer, update.PauseAfterFailures));
        cmd.Parameters.Add(Param("pausedReason", NpgsqlDbType.Text, update.PausedReason));
        cmd.Parameters.Add(Param("oldParameters", NpgsqlDbType.Text, update.AuditedParameters?.Old));
        cmd.Parameters.Add(Param("newParameters", NpgsqlDbType.Text, update.AuditedParameters?.New));
        cmd.Parameters.Add(Param("resetLastScheduledFor", NpgsqlDbType.TimestampTz, update.ResetLastScheduledFor));
        cmd.Parameters.Add(Param("expectedVersion", NpgsqlDbType.Integer, update.ExpectedVersion));
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        cmd.Parameters.Add(Param("by", NpgsqlDbType.Text, update.ChangedBy));
        cmd.Parameters.Add(Param("auditId", NpgsqlDbType.Uuid, Guid.CreateVersion7()));
        cmd.Parameters.Add(Param("auditAction", NpgsqlDbType.Text, update.AuditAction));
        cmd.Parameters.Add(Param("requestId", NpgsqlDbType.Text, update.RequestId));
        try
        {
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return ReadJob(reader);
            }
        }
        catch (PostgresException ex) when (IsNameTaken(ex))
        {
            throw JobTypes.NewJob.NameTaken(update.Name ?? "");
        }
        await using var check = new NpgsqlCommand(SelectJobVersion, connection, transaction);
        check.Parameters.Add(Param("slug", NpgsqlDbType.Text, slug));
        return await check.ExecuteScalarAsync(cancellationToken) is int current
            ? throw new JobVersionConflictException(
                $"Job '{slug}' was changed by someone else (version {current}, you had {update.ExpectedVersion}). Reload it and try again.")
            { CurrentVersion = current }
            : throw new CronJobNotFoundException($"No job with slug '{slug}'.");
    }

    public async Task SetInvalidReasonAsync(Guid jobId, string? reason, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SetInvalidReason);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("reason", NpgsqlDbType.Text, reason));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> TryClaimAsync(ExecutionClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return (await TryClaimManyAsync([claim], cancellationToken)).Contains(claim.ExecutionId);
    }

    public async Task<IReadOnlySet<Guid>> TryClaimManyAsync(IReadOnlyList<ExecutionClaim> claims, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claims);
        await using var cmd = dataSource.CreateCommand(ClaimExecutions);
        cmd.Parameters.Add(Param("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, claims.Select(c => c.ExecutionId).ToArray()));
        cmd.Parameters.Add(Param("jobIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid, claims.Select(c => c.CronJobId).ToArray()));
        cmd.Parameters.Add(Param("keys", NpgsqlDbType.Array | NpgsqlDbType.Text, claims.Select(c => c.OccurrenceKey).ToArray()));
        cmd.Parameters.Add(Param("scheduledFor", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, claims.Select(c => c.ScheduledFor).ToArray()));
        cmd.Parameters.Add(Param("startedAt", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, claims.Select(c => c.StartedAt).ToArray()));
        cmd.Parameters.Add(Param("triggeredBy", NpgsqlDbType.Array | NpgsqlDbType.Text, claims.Select(c => c.TriggeredBy.ToText()).ToArray()));
        cmd.Parameters.Add(Param("userIds", NpgsqlDbType.Array | NpgsqlDbType.Text, claims.Select(c => c.TriggeredByUserId).ToArray()));
        cmd.Parameters.Add(Param("retryCounts", NpgsqlDbType.Array | NpgsqlDbType.Integer, claims.Select(c => c.RetryCount).ToArray()));
        cmd.Parameters.Add(Param("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text, claims.Select(c => c.StatusReason).ToArray()));
        cmd.Parameters.Add(Param("leaseOwners", NpgsqlDbType.Array | NpgsqlDbType.Text, claims.Select(c => c.LeaseOwner).ToArray()));
        cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Array | NpgsqlDbType.Double, claims.Select(c => c.LeaseDuration.TotalMilliseconds).ToArray()));
        cmd.Parameters.Add(Param("advances", NpgsqlDbType.Array | NpgsqlDbType.Boolean, claims.Select(c => c.AdvancesSchedule).ToArray()));
        cmd.Parameters.Add(Param("jobVersions", NpgsqlDbType.Array | NpgsqlDbType.Integer, claims.Select(c => c.JobVersion).ToArray()));
        var won = new HashSet<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (reader.IsDBNull(0))
            {
                // The statement's word that a claimant is dead: nothing of its was claimed (the others' claims stand).
                throw DeclaredDead(reader.GetString(1));
            }
            won.Add(reader.GetGuid(0));
        }
        return won;
    }

    /// <summary>
    /// A silo the membership declared dead writes nothing that moves a schedule (0007): to it, the store is unavailable. Its
    /// activations retry until the silo learns it is dead and stops; the survivors plan the job meanwhile.
    /// </summary>
    internal static StoreUnavailableException DeclaredDead(string? silo) =>
        new($"The database refuses silo {silo}: the cluster membership has declared it dead, so its claims and records would race the survivors that took its jobs over.");

    public async Task<bool> RecordUnrunAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        var current = await RecordUnrunManyAsync(occurrences, cancellationToken);
        return occurrences.All(o => current.Contains(o.ExecutionId));
    }

    public async Task<IReadOnlySet<Guid>> RecordUnrunManyAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(occurrences);
        if (occurrences.Count == 0)
        {
            return new HashSet<Guid>();
        }
        await using var cmd = dataSource.CreateCommand(RecordUnrun);
        cmd.Parameters.Add(Param("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, occurrences.Select(o => o.ExecutionId).ToArray()));
        cmd.Parameters.Add(Param("jobIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid, occurrences.Select(o => o.CronJobId).ToArray()));
        cmd.Parameters.Add(Param("keys", NpgsqlDbType.Array | NpgsqlDbType.Text, occurrences.Select(o => o.OccurrenceKey).ToArray()));
        cmd.Parameters.Add(Param("scheduledFor", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, occurrences.Select(o => o.ScheduledFor).ToArray()));
        cmd.Parameters.Add(Param("recordedAt", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, occurrences.Select(o => o.RecordedAt).ToArray()));
        cmd.Parameters.Add(Param("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text, occurrences.Select(o => o.Status.ToText()).ToArray()));
        cmd.Parameters.Add(Param("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text, occurrences.Select(o => o.Reason).ToArray()));
        cmd.Parameters.Add(Param("advances", NpgsqlDbType.Array | NpgsqlDbType.Boolean, occurrences.Select(o => o.AdvancesSchedule).ToArray()));
        cmd.Parameters.Add(Param("jobVersions", NpgsqlDbType.Array | NpgsqlDbType.Integer, occurrences.Select(o => o.JobVersion).ToArray()));
        cmd.Parameters.Add(Param("recordedBy", NpgsqlDbType.Array | NpgsqlDbType.Text, occurrences.Select(o => o.RecordedBy).ToArray()));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        // One silo records a batch, so a dead recorder refuses all of it.
        return reader.GetBoolean(0) ? throw DeclaredDead(occurrences[0].RecordedBy) : reader.GetFieldValue<Guid[]>(1).ToHashSet();
    }

    public async Task<bool> CompleteAsync(ExecutionCompletion completion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return (await CompleteManyAsync([completion], cancellationToken)).Contains(completion.ExecutionId);
    }

    /// <summary>One statement; a row the database refuses for its data ends without it (see <see cref="RefusedRows"/>).</summary>
    public Task<IReadOnlySet<Guid>> CompleteManyAsync(IReadOnlyList<ExecutionCompletion> completions, CancellationToken cancellationToken) =>
        RefusedRows.CompleteAsync(completions, CompleteInOneStatementAsync, cancellationToken);

    private async Task<IReadOnlySet<Guid>> CompleteInOneStatementAsync(IReadOnlyList<ExecutionCompletion> completions, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(CompleteExecutions);
        cmd.Parameters.Add(Param("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, completions.Select(c => c.ExecutionId).ToArray()));
        cmd.Parameters.Add(Param("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text, completions.Select(c => c.Status.ToText()).ToArray()));
        cmd.Parameters.Add(Param("startedAt", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, completions.Select(c => c.StartedAt).ToArray()));
        cmd.Parameters.Add(Param("completedAt", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, completions.Select(c => c.CompletedAt).ToArray()));
        cmd.Parameters.Add(Param("durations", NpgsqlDbType.Array | NpgsqlDbType.Bigint, completions.Select(c => c.DurationMs).ToArray()));
        cmd.Parameters.Add(Param("exitCodes", NpgsqlDbType.Array | NpgsqlDbType.Integer, completions.Select(c => c.ExitCode).ToArray()));
        cmd.Parameters.Add(Param("outputs", NpgsqlDbType.Array | NpgsqlDbType.Text, completions.Select(c => c.Output).ToArray()));
        cmd.Parameters.Add(Param("errors", NpgsqlDbType.Array | NpgsqlDbType.Text, completions.Select(c => c.ErrorMessage).ToArray()));
        cmd.Parameters.Add(Param("stackTraces", NpgsqlDbType.Array | NpgsqlDbType.Text, completions.Select(c => c.StackTrace).ToArray()));
        cmd.Parameters.Add(Param("memory", NpgsqlDbType.Array | NpgsqlDbType.Double, completions.Select(c => c.MemoryUsageMb).ToArray()));
        cmd.Parameters.Add(Param("cpu", NpgsqlDbType.Array | NpgsqlDbType.Double, completions.Select(c => c.CpuUsagePercent).ToArray()));
        cmd.Parameters.Add(Param("items", NpgsqlDbType.Array | NpgsqlDbType.Bigint, completions.Select(c => c.ItemsProcessed).ToArray()));
        cmd.Parameters.Add(Param("metrics", NpgsqlDbType.Array | NpgsqlDbType.Text,
            completions.Select(c => MetricsJson(c.Metrics)).ToArray()));
        cmd.Parameters.Add(Param("reasons", NpgsqlDbType.Array | NpgsqlDbType.Text, completions.Select(c => c.StatusReason).ToArray()));
        cmd.Parameters.Add(Param("heldBy", NpgsqlDbType.Array | NpgsqlDbType.Text, completions.Select(c => c.HeldBy).ToArray()));
        cmd.Parameters.Add(Param("final", NpgsqlDbType.Array | NpgsqlDbType.Boolean, completions.Select(c => c.Final).ToArray()));
        AddSpan(cmd, ScheduledSpan.Of(completions.Select(c => c.ScheduledFor)));
        return await ReadIdsAsync(cmd, cancellationToken);
    }

    public async Task RenewLeasesAsync(IReadOnlyCollection<Guid> executionIds, TimeSpan lease, CancellationToken cancellationToken, ScheduledSpan within = default)
    {
        ArgumentNullException.ThrowIfNull(executionIds);
        if (executionIds.Count == 0)
        {
            return;
        }
        await using var cmd = dataSource.CreateCommand(RenewLeases);
        cmd.Parameters.Add(Param("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, executionIds.ToArray()));
        cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Double, lease.TotalMilliseconds));
        AddSpan(cmd, within);
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    // The span's bounds for WithinSpan (PostgresJobStore.Sql.cs): null reads every partition.
    private static void AddSpan(NpgsqlCommand cmd, ScheduledSpan span)
    {
        cmd.Parameters.Add(Param("spanFrom", NpgsqlDbType.TimestampTz, span.From));
        cmd.Parameters.Add(Param("spanTo", NpgsqlDbType.TimestampTz, span.To));
    }

    public async Task<IReadOnlySet<Guid>> SetHostsAsync(IReadOnlyList<JobHost> hosts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        await using var cmd = dataSource.CreateCommand(SetHosts);
        cmd.Parameters.Add(Param("jobIds", NpgsqlDbType.Array | NpgsqlDbType.Uuid, hosts.Select(h => h.JobId).ToArray()));
        cmd.Parameters.Add(Param("silos", NpgsqlDbType.Array | NpgsqlDbType.Text, hosts.Select(h => h.Silo).ToArray()));
        return await ReadIdsAsync(cmd, cancellationToken);
    }

    public async Task<IReadOnlyList<string>> TakeJobsHostedByAsync(string silo, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(TakeJobsHostedBy);
        cmd.Parameters.Add(Param("silo", NpgsqlDbType.Text, silo));
        return await cmd.ReadAllAsync(r => r.GetString(0), cancellationToken);
    }

    public async Task<IReadOnlySet<Guid>> MarkStartedManyAsync(IReadOnlyList<ExecutionStart> starts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starts);
        await using var cmd = dataSource.CreateCommand(MarkStarted);
        cmd.Parameters.Add(Param("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, starts.Select(s => s.ExecutionId).ToArray()));
        cmd.Parameters.Add(Param("startedAt", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, starts.Select(s => s.StartedAt).ToArray()));
        cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Array | NpgsqlDbType.Double, starts.Select(s => s.LeaseDuration.TotalMilliseconds).ToArray()));
        AddSpan(cmd, ScheduledSpan.Of(starts.Select(s => s.ScheduledFor)));
        return await ReadIdsAsync(cmd, cancellationToken);
    }

    public async Task<ClaimRelease> ReleaseClaimAsync(Guid executionId, string owner, string reason, bool withdraw, CancellationToken cancellationToken,
        DateTimeOffset? scheduledFor = null)
    {
        ArgumentNullException.ThrowIfNull(reason);
        await using var cmd = dataSource.CreateCommand(ReleaseClaim);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, executionId));
        cmd.Parameters.Add(Param("owner", NpgsqlDbType.Text, owner));
        cmd.Parameters.Add(Param("withdraw", NpgsqlDbType.Boolean, withdraw));
        cmd.Parameters.Add(Param("reason", NpgsqlDbType.Text, reason));
        AddSpan(cmd, ScheduledSpan.At(scheduledFor));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return reader.GetInt64(0) > 0 ? ClaimRelease.Removed : reader.GetInt64(1) > 0 ? ClaimRelease.HandedOver : ClaimRelease.NotClaimed;
    }

    public async Task<JobLoad> LoadJobAsync(string slug, string owner, TimeSpan lease, CancellationToken cancellationToken, HeartbeatKey? heartbeat = null)
    {
        await using var cmd = dataSource.CreateCommand(LoadJob);
        cmd.Parameters.Add(Param("slug", NpgsqlDbType.Text, slug));
        cmd.Parameters.Add(Param("owner", NpgsqlDbType.Text, owner));
        cmd.Parameters.Add(Param("leaseMs", NpgsqlDbType.Double, lease.TotalMilliseconds));
        cmd.Parameters.Add(Param("serviceId", NpgsqlDbType.Text, heartbeat?.ServiceId));
        cmd.Parameters.Add(Param("grainId", NpgsqlDbType.Text, heartbeat?.GrainId));
        cmd.Parameters.Add(Param("reminder", NpgsqlDbType.Text, HeartbeatRow.ReminderName));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var job = await reader.ReadAsync(cancellationToken) ? ReadJob(reader) : null;
        await reader.NextResultAsync(cancellationToken);
        var adopted = await reader.ReadRowsAsync(ReadExecution, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var oneOffs = await reader.ReadRowsAsync(r => ReadOneOff(r, slug), cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        TimeSpan? reminderPeriod = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            reminderPeriod = reader.IsDBNull(0) ? TimeSpan.Zero : TimeSpan.FromMilliseconds(reader.GetInt64(0));
        }
        return new JobLoad(job, adopted) { OneOffs = oneOffs, ReminderPeriod = reminderPeriod };
    }

    public async Task<int> WriteHeartbeatsAsync(string serviceId, IReadOnlyList<HeartbeatRow> rows, TimeSpan period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var written = 0;
        // In slices: one statement of 100,000 rows would hold its locks, and its memory, for the whole insert.
        foreach (var slice in rows.Chunk(10_000))
        {
            await using var cmd = dataSource.CreateCommand(WriteHeartbeats);
            cmd.Parameters.Add(Param("serviceId", NpgsqlDbType.Text, serviceId));
            cmd.Parameters.Add(Param("reminder", NpgsqlDbType.Text, HeartbeatRow.ReminderName));
            cmd.Parameters.Add(Param("periodMs", NpgsqlDbType.Bigint, (long)period.TotalMilliseconds));
            cmd.Parameters.Add(Param("grainIds", NpgsqlDbType.Array | NpgsqlDbType.Text, slice.Select(r => r.GrainId).ToArray()));
            cmd.Parameters.Add(Param("hashes", NpgsqlDbType.Array | NpgsqlDbType.Integer, slice.Select(r => r.GrainHash).ToArray()));
            written += await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        return written;
    }

    public async Task<int> AbandonExpiredAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(AbandonExpired);
        return (int)(long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<ExecutionRecord>> GetExecutionsAsync(Guid jobId, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectExecutionsOfJob);
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("limit", NpgsqlDbType.Integer, limit));
        return await cmd.ReadAllAsync(ReadExecution, cancellationToken);
    }

    public async Task<ExecutionRecord?> GetExecutionAsync(Guid executionId, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectExecution);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, executionId));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadExecution(reader) : null;
    }

    public async Task<bool> TryBeginWakePassAsync(DateTimeOffset now, TimeSpan window, string silo, IReadOnlyCollection<string> activeSilos,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activeSilos);
        await using var cmd = dataSource.CreateCommand(BeginWakePass);
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        cmd.Parameters.Add(Param("cutoff", NpgsqlDbType.TimestampTz, now - window));
        cmd.Parameters.Add(Param("silo", NpgsqlDbType.Text, silo));
        cmd.Parameters.Add(Param("active", NpgsqlDbType.Array | NpgsqlDbType.Text, activeSilos.ToArray()));
        return await cmd.ExecuteScalarAsync(cancellationToken) is not null;
    }

    public async Task<string?> GetConfigValueAsync(string key, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectConfigValue);
        cmd.Parameters.Add(Param("key", NpgsqlDbType.Text, key));
        return await cmd.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>The metrics column; refused like a bad text column when JSON has no number for a value (NaN, ±Infinity).</summary>
    private static string? MetricsJson(IReadOnlyDictionary<string, double>? metrics) =>
        StorableData.MetricsProblem(metrics) is { } problem ? throw new StoreDataRefusedException(problem)
        : metrics is { Count: > 0 } m ? JsonSerializer.Serialize(m) : null;

    /// <summary>The ids a RETURNING statement gave back.</summary>
    private static async Task<IReadOnlySet<Guid>> ReadIdsAsync(NpgsqlCommand cmd, CancellationToken cancellationToken) =>
        (await cmd.ReadAllAsync(r => r.GetGuid(0), cancellationToken)).ToHashSet();

}
