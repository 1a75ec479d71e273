using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.OneOff;

/// <summary>One-off runs in the store (0010_one_off_runs.sql): added and cancelled with their audit rows, taken by one execution.</summary>
public interface IOneOffStore
{
    /// <summary>Stores a pending one-off run and its audit row, in one statement.</summary>
    Task AddOneOffAsync(Guid jobId, OneOffRun run, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>A job's one-off runs, soonest first: the pending ones only, or every one (newest instants first), at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<OneOffRun>> GetOneOffsAsync(Guid jobId, string jobSlug, bool pendingOnly, int limit, CancellationToken cancellationToken);

    /// <summary>Cancels a pending one-off run and writes its audit row, in one statement; otherwise says why not and writes nothing.</summary>
    Task<OneOffCancel> CancelOneOffAsync(Guid jobId, Guid oneOffId, string by, DateTimeOffset at, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>
    /// Takes a pending one-off run with one execution, in one statement: its claim (a <c>claimed</c> row), or, with
    /// <paramref name="endsAs"/>, a row recording why it did not run. False when it was cancelled or taken by another execution
    /// first. Asked again with the same claim after a lost answer, true. A claimant declared dead gets
    /// <see cref="StoreUnavailableException"/>.
    /// </summary>
    Task<bool> TakeOneOffAsync(Guid oneOffId, ExecutionClaim claim, ExecutionStatus? endsAs, CancellationToken cancellationToken);
}
