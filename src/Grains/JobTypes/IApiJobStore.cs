using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobTypes;

/// <summary>
/// Jobs that admins create from job types, in the store (0011_api_jobs.sql): created and deleted with their audit rows, in one
/// statement each. Edits go through <see cref="IJobStore.UpdateJobAsync"/> like every admin change.
/// </summary>
public interface IApiJobStore
{
    /// <summary>
    /// Stores the new job (source <c>api</c>) and its <c>job.create</c> audit row; null fields take the global defaults for new
    /// jobs. Throws <see cref="JobConflictException"/> naming <c>slug</c> or <c>name</c> when either is taken, and stores nothing.
    /// </summary>
    Task<JobRecord> CreateJobAsync(NewJob job, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a job created from a job type and writes its <c>job.delete</c> audit row: it becomes orphaned and disabled with
    /// <c>deletedAt</c>, its pending one-off runs are cancelled, its history stays. Throws <see cref="CronJobNotFoundException"/>,
    /// <see cref="JobConflictException"/> (a job from code or configuration, or one already deleted) or
    /// <see cref="JobVersionConflictException"/>, and changes nothing then.
    /// </summary>
    Task<JobRecord> DeleteJobAsync(string slug, JobDeletion deletion, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>A validated new job from a job type, ready to store.</summary>
public sealed record NewJob
{
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public required string Description { get; init; }
    public required string Schedule { get; init; }
    public string? TimeZone { get; init; }
    public int? TimeoutMs { get; init; }
    public int? MaxRetries { get; init; }
    public MisfirePolicy? MisfirePolicy { get; init; }
    public required bool IsEnabled { get; init; }
    public required string JobType { get; init; }
    /// <summary>The parameters as validated, secrets included.</summary>
    public required string ParametersJson { get; init; }
    /// <summary>The parameters as the audit row shows them (<see cref="JobParameters.Audited"/>).</summary>
    public required string AuditedParameters { get; init; }
    public required string CreatedBy { get; init; }
    public string? RequestId { get; init; }

    /// <summary>Why a slug cannot be used again, from the job that holds it.</summary>
    public static JobConflictException SlugTaken(JobRecord holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return new JobConflictException(holder.DeletedAt is { } deleted
            ? $"Slug '{holder.Slug}' belongs to a job deleted {deleted:u} by {holder.DeletedBy}; its history is kept under it. Choose another slug."
            : $"A job with slug '{holder.Slug}' already exists (defined in {SourceText(holder)}). Choose another slug.")
        { Field = "slug" };
    }

    /// <summary>A name already used by a job that is not deleted.</summary>
    public static JobConflictException NameTaken(string name) =>
        new($"Another job is already named '{name}'. Job names must be unique.") { Field = "name" };

    private static string SourceText(JobRecord job) => job.Source switch
    {
        JobSources.Api => $"the API, from job type '{job.JobType}'",
        var source => source,
    };
}
