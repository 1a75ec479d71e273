using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.JobTypes;
using static Totallator.Grains.Storage.NpgsqlCommands;

namespace Totallator.Grains.Storage;

/// <summary>Jobs created from job types, in PostgreSQL (0011_api_jobs.sql).</summary>
public sealed partial class PostgresJobStore : IApiJobStore
{
    // The job and its audit row in one statement: the row exists exactly when the job does. A taken slug inserts nothing (and
    // the caller reads who holds it); a taken name fails on the unique index of names.
    internal const string InsertApiJob = $"""
        WITH {NewJobDefaults}, added AS (
            INSERT INTO cronJob (id, slug, name, description, schedule, timeZone, isEnabled, timeoutMs, maxRetries, misfirePolicy,
                                 source, jobType, parameters, lastScheduledFor, createdAt, updatedAt, createdBy, lastModifiedBy)
            SELECT @id, @slug, @name, @description, @schedule, COALESCE(@timeZone, x.timeZone), @isEnabled,
                   COALESCE(@timeoutMs, x.timeoutMs), COALESCE(@maxRetries, x.maxRetries), COALESCE(@misfirePolicy, x.misfirePolicy),
                   'api', @jobType, @parameters::jsonb, @now, @now, @now, @by, @by
            FROM defaults x
            ON CONFLICT (slug) DO NOTHING
            RETURNING {JobColumns}
        ), audit AS (
            INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
            SELECT @auditId, @now, @by, 'job.create', a.slug, NULL, NULL,
                   jsonb_build_object('type', a.jobType, 'name', a.name, 'description', a.description, 'schedule', a.schedule,
                                      'timeZone', a.timeZone, 'timeoutMs', a.timeoutMs, 'maxRetries', a.maxRetries,
                                      'misfirePolicy', a.misfirePolicy, 'isEnabled', a.isEnabled, 'parameters', @auditParameters::jsonb),
                   @requestId
            FROM added a
        )
        SELECT {JobColumns} FROM added
        """;

    // Locks the job, deletes it softly (orphaned, disabled, deletedAt), cancels its pending one-off runs under the lock a take
    // shares, and writes the audit row, in one statement. A job that is not the API's, already deleted, or of another version
    // matches nothing: the caller reads why.
    internal const string DeleteApiJob = $"""
        WITH target AS (
            SELECT id AS targetId, isEnabled AS wasEnabled FROM cronJob
            WHERE slug = @slug AND source = 'api' AND deletedAt IS NULL AND (@expectedVersion::integer IS NULL OR version = @expectedVersion)
            FOR UPDATE
        ), deleted AS (
            UPDATE cronJob
            SET isEnabled = false, isOrphaned = true, deletedAt = @now, deletedBy = @by, lastScheduledFor = @now,
                version = version + 1, updatedAt = @now, lastModifiedBy = @by
            FROM target
            WHERE id = target.targetId
            RETURNING {JobColumns}
        ), cancelled AS (
            UPDATE cronJobOneOff o SET cancelledAt = @now, cancelledBy = @by
            FROM deleted d
            WHERE o.cronJobId = d.id AND o.cancelledAt IS NULL AND o.executionId IS NULL
            RETURNING o.id
        ), audit AS (
            INSERT INTO cronAudit (id, at, actor, action, jobSlug, target, oldValues, newValues, requestId)
            SELECT @auditId, @now, @by, 'job.delete', d.slug, NULL,
                   jsonb_build_object('type', d.jobType, 'name', d.name, 'schedule', d.schedule, 'isEnabled', t.wasEnabled),
                   jsonb_build_object('deleted', true, 'cancelledOneOffRuns', (SELECT count(*) FROM cancelled)),
                   @requestId
            FROM deleted d CROSS JOIN target t
        )
        SELECT {JobColumns} FROM deleted
        """;

    public async Task<JobRecord> CreateJobAsync(NewJob job, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await using var cmd = dataSource.CreateCommand(InsertApiJob);
        cmd.Parameters.Add(Param("id", NpgsqlDbType.Uuid, Guid.CreateVersion7()));
        cmd.Parameters.Add(Param("slug", NpgsqlDbType.Text, job.Slug));
        cmd.Parameters.Add(Param("name", NpgsqlDbType.Text, job.Name));
        cmd.Parameters.Add(Param("description", NpgsqlDbType.Text, job.Description));
        cmd.Parameters.Add(Param("schedule", NpgsqlDbType.Text, job.Schedule));
        cmd.Parameters.Add(Param("timeZone", NpgsqlDbType.Text, job.TimeZone));
        cmd.Parameters.Add(Param("isEnabled", NpgsqlDbType.Boolean, job.IsEnabled));
        cmd.Parameters.Add(Param("timeoutMs", NpgsqlDbType.Integer, job.TimeoutMs));
        cmd.Parameters.Add(Param("maxRetries", NpgsqlDbType.Integer, job.MaxRetries));
        cmd.Parameters.Add(Param("misfirePolicy", NpgsqlDbType.Text, job.MisfirePolicy?.ToText()));
        cmd.Parameters.Add(Param("jobType", NpgsqlDbType.Text, job.JobType));
        cmd.Parameters.Add(Param("parameters", NpgsqlDbType.Text, job.ParametersJson));
        cmd.Parameters.Add(Param("auditParameters", NpgsqlDbType.Text, job.AuditedParameters));
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        cmd.Parameters.Add(Param("by", NpgsqlDbType.Text, job.CreatedBy));
        cmd.Parameters.Add(Param("auditId", NpgsqlDbType.Uuid, Guid.CreateVersion7()));
        cmd.Parameters.Add(Param("requestId", NpgsqlDbType.Text, job.RequestId));
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
            throw NewJob.NameTaken(job.Name);
        }
        // Nothing inserted: the slug is taken (read after the fact; a job with it cannot go away, deleting keeps the row).
        throw await GetJobAsync(job.Slug, cancellationToken) is { } holder
            ? NewJob.SlugTaken(holder)
            : new JobConflictException($"Slug '{job.Slug}' is being taken by another request; reload and try again.") { Field = "slug" };
    }

    public async Task<JobRecord> DeleteJobAsync(string slug, JobDeletion deletion, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        await using var cmd = dataSource.CreateCommand(DeleteApiJob);
        cmd.Parameters.Add(Param("slug", NpgsqlDbType.Text, slug));
        cmd.Parameters.Add(Param("expectedVersion", NpgsqlDbType.Integer, deletion.ExpectedVersion));
        cmd.Parameters.Add(Param("now", NpgsqlDbType.TimestampTz, now));
        cmd.Parameters.Add(Param("by", NpgsqlDbType.Text, deletion.DeletedBy));
        cmd.Parameters.Add(Param("auditId", NpgsqlDbType.Uuid, Guid.CreateVersion7()));
        cmd.Parameters.Add(Param("requestId", NpgsqlDbType.Text, deletion.RequestId));
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                return ReadJob(reader);
            }
        }
        // Nothing deleted: say why from the row as it is now (the one read only a refusal pays for).
        var current = await GetJobAsync(slug, cancellationToken) ?? throw new CronJobNotFoundException($"No job with slug '{slug}'.");
        ApiJobRules.ThrowIfNotDeletable(current, deletion);
        // Deletable as it is now: it changed between the statement and this read.
        throw new JobVersionConflictException($"Job '{slug}' was changed while it was being deleted; reload it and try again.") { CurrentVersion = current.Version };
    }
}
