using Totallator.Grains.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>
/// Persistence SPI of the scheduler: job definitions and live config, the occurrence ledger (the claim fence) and history.
/// <see cref="PostgresJobStore"/> is the real one; <see cref="InMemoryJobStore"/> serves the single-node development mode.
/// Both pass the same contract tests.
/// </summary>
public interface IJobStore
{
    /// <summary>
    /// Seeds <c>cronJob</c> from code and configuration: inserts new jobs, updates fields an admin has not overridden, and marks
    /// jobs no longer defined as orphaned (keeping their history). Safe to run from several silos at once.
    /// </summary>
    Task SyncDefinitionsAsync(IReadOnlyList<CronJobDefinition> definitions, DateTimeOffset now, CancellationToken cancellationToken);

    Task<JobRecord?> GetJobAsync(string slug, CancellationToken cancellationToken);

    /// <summary>
    /// The database's clock now (<c>clock_timestamp()</c>, not the transaction's start): the clock that judges leases, against
    /// which each silo corrects the clock it schedules by (<see cref="Clock.ClockSync"/>).
    /// </summary>
    Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken);

    /// <summary>
    /// This silo (<paramref name="owner"/>, its lease owner) checks in: the store's time the check-in was accepted at, or null
    /// when it was refused because the membership has declared the silo dead (then it never is again). A silo starts a claimed
    /// occurrence only while its instant is within the start window of its last accepted check-in (0008_silo_check_in.sql).
    /// </summary>
    Task<DateTimeOffset?> CheckInAsync(string owner, CancellationToken cancellationToken);

    /// <summary>
    /// For a silo the membership has declared dead: refuses its check-ins from now on, and hands over its claims whose instants
    /// are more than <paramref name="startWindow"/> after its last accepted check-in (it cannot have started them), as a
    /// graceful release does (<see cref="ReleaseClaimAsync"/>), with <paramref name="reason"/>. Null when the store does not
    /// see the silo as dead: nothing is done. Safe from several silos at once.
    /// </summary>
    Task<DeadSiloFence?> FenceDeadSiloAsync(string owner, TimeSpan startWindow, string reason, CancellationToken cancellationToken);

    Task<IReadOnlyList<JobRecord>> ListJobsAsync(CancellationToken cancellationToken);

    /// <summary>Stores an admin change, marks the fields overridden and bumps the version; throws <c>JobVersionConflictException</c> on a stale version.</summary>
    Task<JobRecord> UpdateJobAsync(string slug, JobUpdate update, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records why the job cannot be scheduled (null when it can).</summary>
    Task SetInvalidReasonAsync(Guid jobId, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// Claims one attempt of an occurrence by inserting its running row; false when it was already claimed, or when the claim
    /// was planned on a job version that is no longer the job's (<see cref="ExecutionClaim.JobVersion"/>).
    /// </summary>
    Task<bool> TryClaimAsync(ExecutionClaim claim, CancellationToken cancellationToken);

    /// <summary>Claims many attempts in one round trip; returns the execution ids that were claimed (the others were taken already).</summary>
    Task<IReadOnlySet<Guid>> TryClaimManyAsync(IReadOnlyList<ExecutionClaim> claims, CancellationToken cancellationToken);

    /// <summary>
    /// Records occurrences that end without running (skipped, missed); each at most once, and advances <c>lastScheduledFor</c>.
    /// False when some were planned on a job version that is no longer the job's: those are not recorded.
    /// </summary>
    Task<bool> RecordUnrunAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="RecordUnrunAsync"/> for the occurrences of many jobs in one round trip (a silo's activations share it);
    /// returns the ids of those planned on their job's current version: recorded, or already held by another row.
    /// </summary>
    Task<IReadOnlySet<Guid>> RecordUnrunManyAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken);

    /// <summary>Ends a running attempt; false when the row is no longer running (e.g. the sweeper already marked it abandoned).</summary>
    Task<bool> CompleteAsync(ExecutionCompletion completion, CancellationToken cancellationToken);

    /// <summary>Ends many running attempts in one round trip; returns the ids that were still running and are now ended.</summary>
    Task<IReadOnlySet<Guid>> CompleteManyAsync(IReadOnlyList<ExecutionCompletion> completions, CancellationToken cancellationToken);

    /// <summary>Turns rows claimed ahead into running ones as their runs start; returns the ids that were still claimed.</summary>
    Task<IReadOnlySet<Guid>> MarkStartedManyAsync(IReadOnlyList<ExecutionStart> starts, CancellationToken cancellationToken);

    /// <summary>
    /// Gives back a claim taken ahead of its instant that must not run here, if <paramref name="owner"/> still holds it. <paramref name="withdraw"/>: the occurrence is no
    /// longer the job's (it was disabled, or its schedule no longer fires then), so the row is removed. Otherwise (the
    /// activation goes, or a new schedule still fires then) another activation may have planned past the occurrence, so the row
    /// is handed over: it stays claimed, without an owner, until the job's next activation takes it (<see cref="LoadJobAsync"/>),
    /// a claim of the same occurrence takes it (under the new claim's id), or its lease expires (then it is recorded missed).
    /// <see cref="ClaimRelease.NotClaimed"/> when the row had already started or ended. The claim's instant (<c>scheduledFor</c>)
    /// has the row looked for only in its history partition (<see cref="ScheduledSpan"/>); null looks everywhere.
    /// </summary>
    Task<ClaimRelease> ReleaseClaimAsync(Guid executionId, string owner, string reason, bool withdraw, CancellationToken cancellationToken,
        DateTimeOffset? scheduledFor = null);

    /// <summary>
    /// The job as an activation loads it, and the claims handed over to it (<see cref="ReleaseClaimAsync"/>), now owned by
    /// <paramref name="owner"/> with a fresh lease. One round trip. With <paramref name="heartbeat"/>, also the period of the job
    /// grain's reminder row where the store holds Orleans' reminder table (<see cref="JobLoad.ReminderPeriod"/>).
    /// </summary>
    Task<JobLoad> LoadJobAsync(string slug, string owner, TimeSpan lease, CancellationToken cancellationToken, HeartbeatKey? heartbeat = null);

    /// <summary>
    /// Writes a heartbeat reminder row (first due one <paramref name="period"/> from now) for each grain of <paramref name="rows"/>
    /// that has no reminder row, as Orleans' reminder provider would; returns how many were written. A store that does not hold
    /// Orleans' reminder table writes none (the grains then register their reminders through Orleans).
    /// </summary>
    Task<int> WriteHeartbeatsAsync(string serviceId, IReadOnlyList<HeartbeatRow> rows, TimeSpan period, CancellationToken cancellationToken);

    /// <summary>
    /// Extends the leases of running rows by <paramref name="lease"/> from the store's clock; <c>within</c>, where the rows'
    /// instants lie, has only their history partitions read.
    /// </summary>
    Task RenewLeasesAsync(IReadOnlyCollection<Guid> executionIds, TimeSpan lease, CancellationToken cancellationToken, ScheduledSpan within = default);

    /// <summary>Marks running rows whose lease expired (by the store's clock) as abandoned; returns how many.</summary>
    Task<int> AbandonExpiredAsync(CancellationToken cancellationToken);

    /// <summary>A job's executions, newest first.</summary>
    Task<IReadOnlyList<ExecutionRecord>> GetExecutionsAsync(Guid jobId, int limit, CancellationToken cancellationToken);

    Task<ExecutionRecord?> GetExecutionAsync(Guid executionId, CancellationToken cancellationToken);

    /// <summary>
    /// True for the first silo that asks within <paramref name="window"/>: it wakes every job at start-up; silos starting with it
    /// (a whole cluster starting) wake only the jobs their own sync changed. A pass counts only while the silo that made it
    /// (<paramref name="silo"/>) is among <paramref name="activeSilos"/>: a cluster stopped and started again within the window
    /// must wake its jobs again, since nothing hosts them any more. One statement; safe from several silos at once.
    /// </summary>
    Task<bool> TryBeginWakePassAsync(DateTimeOffset now, TimeSpan window, string silo, IReadOnlyCollection<string> activeSilos,
        CancellationToken cancellationToken);

    /// <summary>Records the silos where these jobs' grains are active (one statement for all); returns the job ids found.</summary>
    Task<IReadOnlySet<Guid>> SetHostsAsync(IReadOnlyList<JobHost> hosts, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the jobs recorded as hosted by <paramref name="silo"/> (clearing the record) and returns their slugs. When several
    /// silos ask at once, each job goes to exactly one of them.
    /// </summary>
    Task<IReadOnlyList<string>> TakeJobsHostedByAsync(string silo, CancellationToken cancellationToken);

    Task<string?> GetConfigValueAsync(string key, CancellationToken cancellationToken);
}
