using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Interfaces.Admin;

/// <summary>
/// The read side for admins: jobs with statistics, history, the audit trail and schedule previews, read from PostgreSQL so that
/// no job grain is woken to answer. A stateless worker: use key 0. Store outages surface as <see cref="StoreUnavailableException"/>.
/// </summary>
[Alias("totallator.IJobQueryGrain")]
public interface IJobQueryGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// A page of the jobs (orphaned and deleted ones included) matching the query, with their schedule, next fire times and the
    /// statistics kept as runs end (docs/admin-read.md: fewer figures than <see cref="GetJobAsync"/>, which computes them from
    /// the history); throws <see cref="InvalidAdminInputException"/> for an offset or limit out of range.
    /// </summary>
    [Alias("ListJobPage")]
    Task<JobListPage> ListJobsAsync(JobListQuery query);

    /// <summary>One job; throws <see cref="CronJobNotFoundException"/> for an unknown slug.</summary>
    [Alias("GetJob")]
    Task<JobView> GetJobAsync(string slug);

    /// <summary>
    /// An admin's change through the job's grain, answered with the job as admins see it: the AdminApi makes one call. Throws as
    /// <see cref="Jobs.ICronJobGrain.UpdateConfigAsync"/> does.
    /// </summary>
    [Alias("UpdateJob")]
    Task<JobView> UpdateJobAsync(string slug, JobConfigChange change);

    /// <summary>Creates a job from a job type through its grain, answered as admins see it; throws as <see cref="Jobs.ICronJobGrain.CreateAsync"/>.</summary>
    [Alias("CreateJob")]
    Task<JobView> CreateJobAsync(string slug, JobCreation creation);

    /// <summary>Deletes a job created from a job type through its grain; throws as <see cref="Jobs.ICronJobGrain.DeleteAsync"/>.</summary>
    [Alias("DeleteJob")]
    Task<JobView> DeleteJobAsync(string slug, JobDeletion deletion);

    /// <summary>Asks the job running <paramref name="executionId"/> to cancel it (audited there): one call from the AdminApi.</summary>
    [Alias("CancelExecution")]
    Task<CancelOutcome> CancelExecutionAsync(Guid executionId, string userId, string? requestId);

    /// <summary>A page of one job's executions, newest first; throws <see cref="CronJobNotFoundException"/> for an unknown slug.</summary>
    [Alias("GetExecutions")]
    Task<ExecutionPage> GetExecutionsAsync(ExecutionQuery query);

    /// <summary>One execution with its output, error and stack trace; null when there is none with this id.</summary>
    [Alias("GetExecution")]
    Task<ExecutionDetails?> GetExecutionAsync(Guid executionId);

    /// <summary>A page of the audit trail, newest first.</summary>
    [Alias("GetAudit")]
    Task<AuditPage> GetAuditAsync(AuditQuery query);

    /// <summary>Validates a schedule in a time zone and gives its next fire times, or the reason it cannot fire.</summary>
    [Alias("PreviewSchedule")]
    Task<SchedulePreview> PreviewScheduleAsync(string schedule, string timeZone, int count);

    /// <summary>
    /// Executions active now, and those that ended after <paramref name="endedSince"/> (null: the latest), newest first, at most
    /// <paramref name="limit"/> (1 to 500) of them.
    /// </summary>
    [Alias("GetActivity")]
    Task<Activity> GetActivityAsync(DateTimeOffset? endedSince, int limit);

    /// <summary>Schedules a one-off run through the job's grain (one call from the AdminApi); throws as <see cref="Jobs.ICronJobGrain.ScheduleRunAsync"/>.</summary>
    [Alias("ScheduleRun")]
    Task<OneOffRun> ScheduleRunAsync(string slug, OneOffRequest request);

    /// <summary>A job's one-off runs: the pending ones soonest first, or (<paramref name="all"/>) the latest 100 of every state.</summary>
    [Alias("GetOneOffs")]
    Task<IReadOnlyList<OneOffRun>> GetOneOffsAsync(string slug, bool all);

    /// <summary>Cancels a pending one-off run (audited as <c>job.cancel-run</c>); no job grain is woken.</summary>
    [Alias("CancelOneOff")]
    Task<OneOffCancel> CancelOneOffAsync(string slug, Guid oneOffId, string userId, string? requestId);

    /// <summary>The job types registered in code (on the silo that answers: every silo registers the same), by name.</summary>
    [Alias("ListJobTypes")]
    Task<IReadOnlyList<JobTypeView>> ListJobTypesAsync();

    /// <summary>One round trip to PostgreSQL; throws <see cref="StoreUnavailableException"/> when it does not answer (readiness).</summary>
    [Alias("CheckStore")]
    Task CheckStoreAsync();
}
