using Totallator.Grains.Storage;

namespace Totallator.Grains.Scheduling;

/// <summary>A stored job's schedule, read the one way every reader reads it.</summary>
public static class JobSchedules
{
    /// <summary>Why a job with neither a schedule nor upstreams is invalid.</summary>
    public const string NeverRuns = "No schedule and no upstream jobs: it never runs. Give it a schedule, or jobs to run after.";

    /// <summary>
    /// The job's schedule, or null with the reason it cannot fire. An empty schedule is no schedule: valid (null, no error) for a
    /// job that runs only after its upstreams, invalid for one without any.
    /// </summary>
    public static CronSchedule? Parse(JobRecord job, DateTimeOffset now, ScheduleVariables variables, out string? error)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (string.IsNullOrWhiteSpace(job.Schedule))
        {
            error = job.After.Count == 0 ? NeverRuns : null;
            return null;
        }
        CronSchedule.TryParse(job.Schedule, job.TimeZone, now, variables, job.ScheduleOrigin, out var schedule, out error);
        return schedule;
    }
}
