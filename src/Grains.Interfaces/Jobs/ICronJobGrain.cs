using Orleans.Concurrency;

namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>One cron job, keyed by its slug. Owns the job's schedule and runs its occurrences.</summary>
[Alias("totallator.ICronJobGrain")]
public interface ICronJobGrain : IGrainWithStringKey
{
    /// <summary>Loads the job, catches up on missed occurrences and arms its next fire. Idempotent.</summary>
    [Alias("EnsureScheduled")]
    Task EnsureScheduledAsync();

    /// <summary>The job's configuration and live state. Interleaves: it only reads, so it answers even while the grain awaits the store.</summary>
    [Alias("GetSnapshot"), AlwaysInterleave]
    Task<JobSnapshot> GetSnapshotAsync();

    /// <summary>Runs the job now.</summary>
    [Alias("Trigger")]
    Task<TriggerResult> TriggerAsync(TriggerRequest request);

    /// <summary>Applies an admin's change at once; throws <see cref="InvalidJobConfigurationException"/> or <see cref="JobVersionConflictException"/> and changes nothing on bad input.</summary>
    [Alias("UpdateConfig")]
    Task<JobSnapshot> UpdateConfigAsync(JobConfigChange change);

    /// <summary>Requests cancellation of a running execution of this job (audited); false when it is not running here.</summary>
    [Alias("Cancel")]
    Task<bool> CancelAsync(Guid executionId, string userId, string? requestId);

    /// <summary>Re-reads the job from the store (after a definition sync) and re-plans.</summary>
    [Alias("Reload")]
    Task ReloadAsync();

    /// <summary>
    /// An occurrence of one of this job's upstreams ended: check the signals and run if every upstream has signalled. One-way:
    /// the upstream does not wait, and a poke that is lost is made good by the dependency sweep.
    /// </summary>
    [Alias("UpstreamEnded"), OneWay]
    Task UpstreamEndedAsync();

    /// <summary>
    /// Schedules a one-off run of this job at a future instant (audited). Throws <see cref="InvalidJobConfigurationException"/>
    /// naming the field for bad input, and stores nothing then.
    /// </summary>
    [Alias("ScheduleRun")]
    Task<OneOffRun> ScheduleRunAsync(OneOffRequest request);

    /// <summary>
    /// Creates this job from a registered job type (audited as <c>job.create</c>) and schedules it. Throws
    /// <see cref="InvalidJobConfigurationException"/> naming the field, or <see cref="JobConflictException"/> when the slug or
    /// name is taken; stores nothing then.
    /// </summary>
    [Alias("Create")]
    Task<JobSnapshot> CreateAsync(JobCreation creation);

    /// <summary>
    /// Deletes this job if an admin created it from a job type (audited as <c>job.delete</c>): it is no longer scheduled, its
    /// pending one-off runs are cancelled, a run in progress ends on its own, and its history stays. Throws
    /// <see cref="JobConflictException"/> for a job defined in code or configuration.
    /// </summary>
    [Alias("Delete")]
    Task<JobSnapshot> DeleteAsync(JobDeletion deletion);
}
