using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Dependencies;

/// <summary>What a dependency check reads of the activation it runs in, and what it asks of it (the job grain).</summary>
public interface IDependencyShell
{
    /// <summary>The scheduler clock.</summary>
    DateTimeOffset Now { get; }

    /// <summary>The execution of this job whose code still runs here: a due dependency run waits for its end.</summary>
    Guid? RunningExecution { get; }

    /// <summary>Why a due dependency run is recorded skipped instead of run (disabled, no longer defined, paused), or null to run it.</summary>
    string? NotRunReason { get; }

    /// <summary>A dependency run's claim: its own occurrence, never moving the schedule.</summary>
    ExecutionClaim NewDependencyClaim(string occurrenceKey, DateTimeOffset now, string? reason);

    /// <summary>Starts the run of a claimed dependency run (its row still says claimed).</summary>
    Task StartRunAsync(ExecutionClaim claim);
}

/// <summary>What a dependency check did.</summary>
public enum DependencyCheck
{
    /// <summary>Not every upstream has signalled yet, or the job has no upstreams.</summary>
    Waiting,
    /// <summary>A run is due but this job is running: its end checks again.</summary>
    WaitingForRun,
    /// <summary>A run was claimed and started.</summary>
    Started,
    /// <summary>A run was due and recorded skipped (<see cref="IDependencyShell.NotRunReason"/>).</summary>
    Skipped,
    /// <summary>Another activation claimed the signals first.</summary>
    Lost,
}

/// <summary>
/// A job's dependency runs: when every upstream has signalled (<see cref="FanIn"/>), one run is claimed by consuming the signals
/// in the statement that inserts its row, under an occurrence key derived from the signalling upstream executions. Two activations
/// of the job deciding on the same signals claim the same occurrence; one deciding on fewer fails to consume them all: either
/// way one run. A claim whose answer was lost is asked again with its id at the next check.
/// </summary>
public sealed class DependencyRuns
{
    // A claim whose answer was lost (it may have committed): asked again as it was, before anything else.
    private DependencyClaim? _unanswered;

    /// <summary>
    /// For a deactivation: the claim whose answer never came, if any, which no check of this activation will ask again. It is
    /// ended skipped if it committed; its signals stay consumed by that row, which says why it did not run.
    /// </summary>
    public ExecutionClaim? TakeUnanswered()
    {
        var claim = _unanswered?.Claim;
        _unanswered = null;
        return claim;
    }

    /// <summary>Why a dependency claim given up at deactivation ended skipped.</summary>
    public const string GivenUpAtDeactivation = "not run: its activation ended before the claim of this dependency run was answered";

    /// <summary>Checks <paramref name="job"/>'s signals and claims (and starts) a run when they are all in.</summary>
    public async Task<DependencyCheck> CheckAsync(JobRecord job, IDependencyStore store, IDependencyShell shell, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(shell);
        if (_unanswered is { } again)
        {
            var outcome = await ClaimAsync(again, store, shell, cancellationToken);
            if (outcome != DependencyCheck.Lost)
            {
                return outcome;
            }
        }
        if (job.After.Count == 0)
        {
            return DependencyCheck.Waiting;
        }
        var pending = await store.GetPendingSignalsAsync(job.Id, cancellationToken);
        var decision = FanIn.Decide(job.After, pending);
        if (!decision.Ready)
        {
            return DependencyCheck.Waiting;
        }
        var notRun = shell.NotRunReason;
        if (notRun is null && shell.RunningExecution is not null)
        {
            return DependencyCheck.WaitingForRun;
        }
        var now = shell.Now;
        var claim = new DependencyClaim
        {
            Claim = shell.NewDependencyClaim(decision.OccurrenceKey, now, notRun ?? Describe(decision)),
            UpstreamExecutionIds = decision.Signalling.Select(r => r.UpstreamExecutionId).ToList(),
            Consumes = decision.Consumed.Select(r => r.Id).ToList(),
            EndsAs = notRun is null ? null : ExecutionStatus.Skipped,
        };
        return await ClaimAsync(claim, store, shell, cancellationToken);
    }

    private async Task<DependencyCheck> ClaimAsync(DependencyClaim claim, IDependencyStore store, IDependencyShell shell, CancellationToken cancellationToken)
    {
        bool won;
        try
        {
            won = await store.ClaimDependencyRunAsync(claim, cancellationToken);
        }
        catch (Exception ex) when (StoreGuard.IsUnanswered(ex))
        {
            _unanswered = claim;
            throw;
        }
        _unanswered = null;
        if (!won)
        {
            return DependencyCheck.Lost;
        }
        if (claim.EndsAs is not null)
        {
            return DependencyCheck.Skipped;
        }
        await shell.StartRunAsync(claim.Claim with { StartedAt = shell.Now });
        return DependencyCheck.Started;
    }

    /// <summary>The row's note: which upstream runs signalled it, and how many earlier ones it absorbed.</summary>
    private static string Describe(FanInDecision decision)
    {
        var absorbed = decision.Consumed.Count - decision.Signalling.Count;
        var text = "after " + string.Join(", ", decision.Signalling.Select(r => $"{r.UpstreamSlug} {r.UpstreamStatus.ToText()}"));
        return absorbed > 0 ? $"{text} ({absorbed} earlier upstream run{(absorbed == 1 ? "" : "s")} absorbed)" : text;
    }
}
