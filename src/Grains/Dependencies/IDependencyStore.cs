using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Dependencies;

/// <summary>
/// The store's side of job dependencies (0009_dependencies.sql). Signals are written by the end of an upstream's final attempt
/// (<see cref="ExecutionCompletion.Final"/>) and by the sweep that records an attempt abandoned; this reads and consumes them.
/// </summary>
public interface IDependencyStore
{
    /// <summary>The job's signals not yet consumed.</summary>
    Task<IReadOnlyList<PendingSignal>> GetPendingSignalsAsync(Guid jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a dependency run: inserts its row and consumes its signals in one statement, or does neither. False when one of
    /// the signals was consumed by another claim (a duplicate activation) first. Asked again with the same claim after a lost
    /// answer, true: the row is the claim's own. A claimant the membership declared dead gets <see cref="Interfaces.Admin.StoreUnavailableException"/>.
    /// </summary>
    Task<bool> ClaimDependencyRunAsync(DependencyClaim claim, CancellationToken cancellationToken);

    /// <summary>
    /// Signals the downstream jobs of an ended attempt that turned out final after its end was written (a retry that did not
    /// happen: the silo stopping, an admin's cancel during the backoff, a retry whose claim got no answer). Idempotent.
    /// </summary>
    Task SignalDownstreamAsync(Guid executionId, CancellationToken cancellationToken);

    /// <summary>
    /// Jobs whose every upstream has a signal pending for longer than <paramref name="olderThan"/>: the signal's poke did not
    /// reach them (its silo died after the end was written) or they could not act then. The sweep wakes them.
    /// </summary>
    Task<IReadOnlyList<string>> FindReadyDownstreamsAsync(TimeSpan olderThan, CancellationToken cancellationToken);

    /// <summary>Every job that has upstreams or is one, with what the graph needs of it.</summary>
    Task<IReadOnlyList<DependencyNode>> GetDependencyGraphAsync(CancellationToken cancellationToken);
}

/// <summary>A dependency run's claim: its row (claimed, or ended at once when <see cref="EndsAs"/> is set) and the signals it consumes.</summary>
public sealed record DependencyClaim
{
    /// <summary>The row: triggered by <see cref="TriggerSource.Dependency"/>, occurrence <see cref="FanInDecision.OccurrenceKey"/>.</summary>
    public required ExecutionClaim Claim { get; init; }
    /// <summary>The upstream executions that signalled it (kept on its row).</summary>
    public required IReadOnlyList<Guid> UpstreamExecutionIds { get; init; }
    /// <summary>Every signal it consumes; all must still be pending.</summary>
    public required IReadOnlyList<Guid> Consumes { get; init; }
    /// <summary>Recorded as ended without running (skipped: the job is disabled, or scheduling paused), with the claim's reason.</summary>
    public ExecutionStatus? EndsAs { get; init; }
}

/// <summary>A job as the dependency graph sees it.</summary>
public sealed record DependencyNode(string Slug, bool IsEnabled, bool IsOrphaned, string? InvalidReason, IReadOnlyList<Upstream> After);
