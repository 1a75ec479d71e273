using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Simulation;

/// <summary>What the simulated database does with one call.</summary>
public enum StoreFault
{
    None,
    /// <summary>The call fails before anything commits (a dropped connection, a timeout before the statement ran).</summary>
    FailBeforeCommit,
    /// <summary>The call commits, then its reply is lost: the caller sees a failure.</summary>
    LostReply,
}

/// <summary>
/// The real <see cref="InMemoryJobStore"/> (the same fence as PostgreSQL, held to it by the store contract suite), with a fault
/// decided per call by the simulation. The in-memory store answers synchronously, so the whole world stays on one thread and a
/// seed replays exactly.
/// </summary>
public sealed class FaultyStore(InMemoryJobStore inner, Func<string, StoreFault> decide) : IJobStore, ITriggerStore
{
    public InMemoryJobStore Inner => inner;

    private Task<T> CallAsync<T>(string name, Func<Task<T>> call) => StoreFaults.CallAsync(decide, name, call);

    private Task<bool> CallAsync(string name, Func<Task> call) => CallAsync(name, async () =>
    {
        await call();
        return true;
    });

    public Task SyncDefinitionsAsync(IReadOnlyList<CronJobDefinition> definitions, DateTimeOffset now, CancellationToken cancellationToken) =>
        CallAsync("sync", () => inner.SyncDefinitionsAsync(definitions, now, cancellationToken));

    public Task<JobRecord?> GetJobAsync(string slug, CancellationToken cancellationToken) =>
        CallAsync("get-job", () => inner.GetJobAsync(slug, cancellationToken));

    public Task<DateTimeOffset> ReadClockAsync(CancellationToken cancellationToken) =>
        CallAsync("read-clock", () => inner.ReadClockAsync(cancellationToken));

    public Task<Guid?> FindTriggerRequestAsync(Guid jobId, string userId, string idempotencyKey, DateTimeOffset since, CancellationToken cancellationToken) =>
        CallAsync("find-trigger", () => inner.FindTriggerRequestAsync(jobId, userId, idempotencyKey, since, cancellationToken));

    public Task<TriggerRecorded> RecordTriggerAsync(ManualTrigger trigger, CancellationToken cancellationToken) =>
        CallAsync("trigger", () => inner.RecordTriggerAsync(trigger, cancellationToken));

    public Task<DateTimeOffset?> CheckInAsync(string owner, CancellationToken cancellationToken) =>
        CallAsync("check-in", () => inner.CheckInAsync(owner, cancellationToken));

    public Task<DeadSiloFence?> FenceDeadSiloAsync(string owner, TimeSpan startWindow, string reason, CancellationToken cancellationToken) =>
        CallAsync("fence", () => inner.FenceDeadSiloAsync(owner, startWindow, reason, cancellationToken));

    public Task<IReadOnlyList<JobRecord>> ListJobsAsync(CancellationToken cancellationToken) =>
        CallAsync("list-jobs", () => inner.ListJobsAsync(cancellationToken));

    public Task<JobRecord> UpdateJobAsync(string slug, JobUpdate update, DateTimeOffset now, CancellationToken cancellationToken) =>
        CallAsync("update-job", () => inner.UpdateJobAsync(slug, update, now, cancellationToken));

    public Task SetInvalidReasonAsync(Guid jobId, string? reason, CancellationToken cancellationToken) =>
        CallAsync("set-invalid", () => inner.SetInvalidReasonAsync(jobId, reason, cancellationToken));

    public Task<bool> TryClaimAsync(ExecutionClaim claim, CancellationToken cancellationToken) =>
        CallAsync("claim", () => inner.TryClaimAsync(claim, cancellationToken));

    public Task<IReadOnlySet<Guid>> TryClaimManyAsync(IReadOnlyList<ExecutionClaim> claims, CancellationToken cancellationToken) =>
        CallAsync("claim-many", () => inner.TryClaimManyAsync(claims, cancellationToken));

    public Task<bool> RecordUnrunAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken) =>
        CallAsync("record-unrun", () => inner.RecordUnrunAsync(occurrences, cancellationToken));

    public Task<IReadOnlySet<Guid>> RecordUnrunManyAsync(IReadOnlyList<UnrunOccurrence> occurrences, CancellationToken cancellationToken) =>
        CallAsync("record-unrun", () => inner.RecordUnrunManyAsync(occurrences, cancellationToken));

    public Task<bool> CompleteAsync(ExecutionCompletion completion, CancellationToken cancellationToken) =>
        CallAsync("complete", () => inner.CompleteAsync(completion, cancellationToken));

    public Task<IReadOnlySet<Guid>> CompleteManyAsync(IReadOnlyList<ExecutionCompletion> completions, CancellationToken cancellationToken) =>
        CallAsync("complete-many", () => inner.CompleteManyAsync(completions, cancellationToken));

    public Task<IReadOnlySet<Guid>> MarkStartedManyAsync(IReadOnlyList<ExecutionStart> starts, CancellationToken cancellationToken) =>
        CallAsync("mark-started", () => inner.MarkStartedManyAsync(starts, cancellationToken));

    public Task<ClaimRelease> ReleaseClaimAsync(Guid executionId, string owner, string reason, bool withdraw, CancellationToken cancellationToken,
        DateTimeOffset? scheduledFor = null) =>
        CallAsync("release", () => inner.ReleaseClaimAsync(executionId, owner, reason, withdraw, cancellationToken, scheduledFor));

    public Task<JobLoad> LoadJobAsync(string slug, string owner, TimeSpan lease, CancellationToken cancellationToken, HeartbeatKey? heartbeat = null) =>
        CallAsync("load-job", () => inner.LoadJobAsync(slug, owner, lease, cancellationToken, heartbeat));

    public Task<int> WriteHeartbeatsAsync(string serviceId, IReadOnlyList<HeartbeatRow> rows, TimeSpan period, CancellationToken cancellationToken) =>
        inner.WriteHeartbeatsAsync(serviceId, rows, period, cancellationToken);

    public Task RenewLeasesAsync(IReadOnlyCollection<Guid> executionIds, TimeSpan lease, CancellationToken cancellationToken, ScheduledSpan within = default) =>
        CallAsync("renew", () => inner.RenewLeasesAsync(executionIds, lease, cancellationToken, within));

    public Task<int> AbandonExpiredAsync(CancellationToken cancellationToken) =>
        CallAsync("sweep", () => inner.AbandonExpiredAsync(cancellationToken));

    public Task<IReadOnlyList<ExecutionRecord>> GetExecutionsAsync(Guid jobId, int limit, CancellationToken cancellationToken) =>
        inner.GetExecutionsAsync(jobId, limit, cancellationToken);

    public Task<ExecutionRecord?> GetExecutionAsync(Guid executionId, CancellationToken cancellationToken) =>
        inner.GetExecutionAsync(executionId, cancellationToken);


    public Task<bool> TryBeginWakePassAsync(DateTimeOffset now, TimeSpan window, string silo, IReadOnlyCollection<string> activeSilos,
        CancellationToken cancellationToken) => inner.TryBeginWakePassAsync(now, window, silo, activeSilos, cancellationToken);

    public Task<IReadOnlySet<Guid>> SetHostsAsync(IReadOnlyList<JobHost> hosts, CancellationToken cancellationToken) =>
        inner.SetHostsAsync(hosts, cancellationToken);

    public Task<IReadOnlyList<string>> TakeJobsHostedByAsync(string silo, CancellationToken cancellationToken) =>
        inner.TakeJobsHostedByAsync(silo, cancellationToken);

    public Task<string?> GetConfigValueAsync(string key, CancellationToken cancellationToken) => inner.GetConfigValueAsync(key, cancellationToken);

}

/// <summary>One store call with the simulation's fault: failed before its commit, or committed with its reply lost.</summary>
internal static class StoreFaults
{
    public static async Task<T> CallAsync<T>(Func<string, StoreFault> decide, string name, Func<Task<T>> call)
    {
        var fault = decide(name);
        if (fault == StoreFault.FailBeforeCommit)
        {
            throw new StoreUnavailableException($"simulated: {name} failed before its commit");
        }
        var result = await call();
        if (fault == StoreFault.LostReply)
        {
            throw new StoreUnavailableException($"simulated: {name} committed, its reply was lost");
        }
        return result;
    }
}
