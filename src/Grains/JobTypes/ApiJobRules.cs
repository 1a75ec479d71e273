using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobTypes;

/// <summary>What an admin may do to a job depending on where it is defined; shared by both stores and the grain so they agree.</summary>
public static class ApiJobRules
{
    /// <summary>Throws unless <paramref name="job"/> can be deleted as <paramref name="deletion"/> asks.</summary>
    public static void ThrowIfNotDeletable(JobRecord job, JobDeletion deletion)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(deletion);
        if (!job.IsFromApi)
        {
            throw new JobConflictException(
                $"Job '{job.Slug}' is defined in {job.Source}: remove it there (it is then kept as orphaned, with its history). "
                + "Only jobs created from a job type can be deleted here; disable this one instead.");
        }
        if (job.DeletedAt is { } at)
        {
            throw new JobConflictException($"Job '{job.Slug}' was already deleted {at:u} by {job.DeletedBy}.");
        }
        if (deletion.ExpectedVersion is { } expected && expected != job.Version)
        {
            throw new JobVersionConflictException(
                $"Job '{job.Slug}' was changed by someone else (version {job.Version}, you had {expected}). Reload it and try again.")
            { CurrentVersion = job.Version };
        }
    }

    /// <summary>Throws unless <paramref name="change"/> may be applied to <paramref name="job"/>: a deleted job changes no more, and only a job created from a job type has its name, description and parameters changed by an admin.</summary>
    public static void ThrowIfNotEditable(JobRecord job, JobConfigChange change)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(change);
        if (job.DeletedAt is { } at)
        {
            throw new JobConflictException($"Job '{job.Slug}' was deleted {at:u} by {job.DeletedBy}; a deleted job is kept for its history only.");
        }
        if (!job.IsFromApi && (change.Name ?? change.Description ?? change.ParametersJson) is not null)
        {
            var field = change.Name is not null ? "name" : change.Description is not null ? "description" : "parameters";
            throw new InvalidJobConfigurationException(
                $"The {field} of job '{job.Slug}' comes from its definition in {job.Source}; change it there. Only jobs created from a job type have it changed here.")
            { Field = field };
        }
    }
}
