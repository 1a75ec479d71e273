using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Admin;

/// <summary>Builds what admins see of a job from its row, its statistics and the global settings; reads nothing itself.</summary>
internal static class JobViews
{
    /// <summary>How many next fire times a job view shows.</summary>
    public const int NextFireCount = 5;

    internal static readonly JobStatistics NoStatistics = new()
    {
        SampleSize = 0, RetryAttempts = 0, RunsLast24Hours = 0, FailuresLast24Hours = 0, NotRunLast24Hours = 0,
    };

    public static JobView Build(JobRecord job, JobStatisticsRecord? statistics, bool schedulingPaused, DateTimeOffset now, ScheduleVariables variables,
        DependencyViewsBuilder? dependencies = null, IReadOnlySet<string>? signalledUpstreams = null, JobTypes.JobTypeCatalog? types = null)
    {
        // Secret parameters never leave: without the type (not registered here) nothing of the parameters is shown.
        var (parameters, secrets) = job.IsFromApi ? JobTypes.JobParameters.Shown(types?.Find(job.JobType!), job.ParametersJson) : (null, []);
        dependencies ??= DependencyViewsBuilder.Alone(job);
        var schedule = JobSchedules.Parse(job, now, variables, out var error);
        var invalidReason = job.InvalidReason ?? error;
        var fires = job.IsEnabled && !job.IsOrphaned && invalidReason is null && !schedulingPaused && schedule is not null
            ? InZone(schedule.NextN(now, NextFireCount), schedule.TimeZone)
            : [];
        return new JobView
        {
            Id = job.Id, Slug = job.Slug, Name = job.Name, Description = job.Description, Schedule = job.Schedule,
            // Null when the schedule is invalid or reads a variable whose value may not be shown (the reason names it).
            ResolvedSchedule = schedule?.ResolvedExpression,
            ScheduleSource = ScheduleSource(job), TimeZone = job.TimeZone, IsEnabled = job.IsEnabled, InvalidReason = invalidReason,
            IsOrphaned = job.IsOrphaned, Source = job.Source, TimeoutMs = job.TimeoutMs, MaxRetries = job.MaxRetries,
            MisfirePolicy = job.MisfirePolicy, MisfireRunAllCap = job.MisfireRunAllCap, OverriddenFields = job.OverriddenFields,
            NextFireTimes = fires, LastRun = statistics?.LastRun, RunningExecutionIds = statistics?.RunningExecutionIds ?? [],
            Statistics = statistics?.Statistics ?? NoStatistics, Version = job.Version, CreatedAt = job.CreatedAt, UpdatedAt = job.UpdatedAt,
            LastModifiedBy = job.LastModifiedBy, LastScheduledFor = job.LastScheduledFor,
            Upstreams = dependencies.UpstreamsOf(job, signalledUpstreams), Downstreams = dependencies.DownstreamsOf(job.Slug),
            JobType = job.JobType, ParametersJson = parameters, SecretParameters = secrets, DeletedAt = job.DeletedAt, DeletedBy = job.DeletedBy,
            CreatedBy = job.CreatedBy, PauseAfterFailures = job.PauseAfterFailures, FailureStreak = job.FailureStreak, PausedReason = job.PausedReason,
        };
    }

    /// <summary>
    /// An admin override wins; else a <c>${VAR}</c> means the environment decides; else where the job is defined (an admin, for a
    /// job created from a job type).
    /// </summary>
    internal static string ScheduleSource(JobRecord job) =>
        job.OverriddenFields.Contains(JobFields.Schedule, StringComparer.Ordinal) ? "admin"
        : job.Schedule.Contains("${", StringComparison.Ordinal) ? "environment"
        : job.IsFromApi ? "admin"
        : job.Source;

    /// <summary>Each instant with the zone's UTC offset at that instant.</summary>
    public static IReadOnlyList<DateTimeOffset> InZone(IEnumerable<DateTimeOffset> instants, TimeZoneInfo zone) =>
        instants.Select(i => TimeZoneInfo.ConvertTime(i, zone)).ToList();
}
