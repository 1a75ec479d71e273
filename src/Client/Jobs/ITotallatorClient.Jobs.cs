namespace Totallator.Client;

/// <summary>
/// The admin API of Totallator Cron: every endpoint under <c>/api/cron</c>. Each call throws a <see cref="TotallatorApiException"/>
/// subclass for a refusal (<see cref="TotallatorNotFoundException"/>, <see cref="TotallatorConflictException"/>, ...), a
/// <see cref="TimeoutException"/> when the API does not answer within the configured timeout, and
/// <see cref="HttpRequestException"/> when it cannot be reached. Implemented by <see cref="TotallatorClient"/>; mock this
/// interface in tests of code that uses it.
/// </summary>
public partial interface ITotallatorClient
{
    /// <summary>A page of jobs with state, schedule, next fire times, last run and statistics (viewer).</summary>
    Task<JobListPage> ListJobsAsync(JobListQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Every job matching <paramref name="query"/>, read page by page (its offset is where to start; its limit, the page size).</summary>
    IAsyncEnumerable<JobView> ListAllJobsAsync(JobListQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>One job with its full configuration and statistics (viewer). <see cref="JobView.Version"/> is its ETag.</summary>
    /// <exception cref="TotallatorNotFoundException">No job with this slug.</exception>
    Task<JobView> GetJobAsync(string slug, CancellationToken cancellationToken = default);

    /// <summary>
    /// Changes a job's configuration (admin). With <paramref name="expectedVersion"/> the change applies only if the job is
    /// still at that version (sent as <c>If-Match</c>); without, it applies whatever changed meanwhile.
    /// </summary>
    /// <exception cref="TotallatorPreconditionFailedException">The job is no longer at <paramref name="expectedVersion"/>; nothing changed.</exception>
    /// <exception cref="TotallatorValidationException">The change is not valid; the errors name the fields.</exception>
    Task<JobView> UpdateJobAsync(string slug, JobPatch patch, int? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the job, asks <paramref name="change"/> what to change given what it read, and sends that change with the version
    /// read as <c>If-Match</c>: a change made by someone else in between is never overwritten. <paramref name="change"/> may
    /// answer null to change nothing (the job as read is returned).
    /// </summary>
    /// <exception cref="TotallatorPreconditionFailedException">The job changed between the read and the write; nothing changed.</exception>
    Task<JobView> UpdateJobAsync(string slug, Func<JobView, JobPatch?> change, CancellationToken cancellationToken = default);

    /// <summary>Enables the job's schedule (operator).</summary>
    Task<JobView> EnableJobAsync(string slug, CancellationToken cancellationToken = default);

    /// <summary>Disables the job's schedule; a running execution finishes (operator).</summary>
    Task<JobView> DisableJobAsync(string slug, CancellationToken cancellationToken = default);

    /// <summary>Creates a job from a registered job type (admin).</summary>
    /// <exception cref="TotallatorConflictException">The slug or name is taken.</exception>
    Task<JobView> CreateJobAsync(JobCreateRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a job created from a job type (admin): no longer scheduled, pending one-off runs cancelled, history kept. With
    /// <paramref name="expectedVersion"/>, only if the job is still at that version.
    /// </summary>
    /// <exception cref="TotallatorConflictException">The job is defined in code or configuration.</exception>
    Task<JobView> DeleteJobAsync(string slug, int? expectedVersion = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the job now (operator). Answers at once with the execution's id; use <see cref="WaitForExecutionAsync"/> or
    /// <see cref="TriggerAndWaitAsync"/> to follow it.
    /// </summary>
    /// <exception cref="TotallatorConflictException">A run is in progress (<see cref="TotallatorConflictException.RunningExecutionId"/>) and <see cref="TriggerOptions.Override"/> is off.</exception>
    /// <exception cref="TotallatorRateLimitedException">Too many triggers of this job or by this key.</exception>
    Task<TriggerResult> TriggerJobAsync(string slug, TriggerOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Triggers the job and follows the execution to its end (by default through its retries): the answer is the last attempt,
    /// in a terminal status. It does not throw for a failed run; look at <see cref="ExecutionSummary.Status"/>.
    /// </summary>
    /// <exception cref="TotallatorWaitTimeoutException">The run had not ended within <see cref="WaitOptions.Timeout"/>.</exception>
    Task<ExecutionDetails> TriggerAndWaitAsync(string slug, TriggerOptions? options = null, WaitOptions? wait = null, CancellationToken cancellationToken = default);

    /// <summary>A page of the job's executions, newest first (viewer).</summary>
    Task<ExecutionPage> ListExecutionsAsync(string slug, ExecutionQuery? query = null, CancellationToken cancellationToken = default);
}
