using Totallator.Grains.Admin;
using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>
/// Dependency runs (<see cref="DependencyRuns"/>): this job's upstreams tell it when an occurrence of theirs ended, its own runs'
/// ends check again, and the dependency sweep wakes it when a signal waited too long. This job tells its downstreams in turn.
/// </summary>
public sealed partial class CronJobGrain : IDependencyShell
{
    private readonly DependencyRuns _dependencyRuns = new();
    private bool _checkingDependencies;
    private bool _checkDependenciesAgain;

    public Task UpstreamEndedAsync()
    {
        if (_job is null)
        {
            // A slug no longer in the store (a stale downstream list): nothing to check, and nothing to keep this activation for.
            DeactivateOnIdle();
            return Task.CompletedTask;
        }
        return CheckDependenciesAsync();
    }

    /// <summary>One check at a time; one asked for meanwhile runs right after it (it may see signals the first did not).</summary>
    private async Task CheckDependenciesAsync()
    {
        if (_checkingDependencies)
        {
            _checkDependenciesAgain = true;
            return;
        }
        _checkingDependencies = true;
        try
        {
            do
            {
                _checkDependenciesAgain = false;
                if (_job is not { } job || registry.IsStopping)
                {
                    return;
                }
                try
                {
                    var outcome = await _dependencyRuns.CheckAsync(job, dependencies, this, CancellationToken.None);
                    if (outcome is DependencyCheck.Started or DependencyCheck.Skipped)
                    {
                        LogDependencyRun(logger, _slug, outcome);
                    }
                }
                catch (Exception ex) when (StoreGuard.IsUnanswered(ex))
                {
                    // The signals stay pending (or the claim is asked again): the dependency sweep wakes this job again.
                    LogDependencyCheckFailed(logger, ex, _slug);
                }
            }
            while (_checkDependenciesAgain);
        }
        finally
        {
            _checkingDependencies = false;
        }
    }

    /// <summary>
    /// Tells the jobs that run after this one that an occurrence of it ended (one-way calls, not awaited). Best effort: a
    /// downstream not reached, or unknown to this activation (an edge added since it loaded), is woken by the dependency sweep.
    /// </summary>
    private void TellDownstreams()
    {
        foreach (var slug in _job?.Downstreams ?? [])
        {
            GrainFactory.GetGrain<ICronJobGrain>(slug).UpstreamEndedAsync().Ignore();
        }
    }

    /// <summary>
    /// An occurrence whose last attempt failed and whose retry will not happen after all: its end was written as not final, so
    /// its downstream jobs are signalled now. Asked again through a store outage for up to a lease; the sweep cannot find it.
    /// </summary>
    private async Task SignalDownstreamAsync(Guid executionId)
    {
        // Not skipped when this activation knows of no downstream job: an edge added since it loaded would lose the signal for
        // good (no row, so the sweep cannot find it). Rare (a retry that did not happen), and cheap without any edge.
        var deadline = clock.GetUtcNow() + _options.LeaseDuration;
        while (true)
        {
            try
            {
                await dependencies.SignalDownstreamAsync(executionId, CancellationToken.None);
                TellDownstreams();
                return;
            }
            catch (Exception ex) when (StoreGuard.IsStoreFailure(ex) && clock.GetUtcNow() < deadline)
            {
                LogStoreRetry(logger, ex, _slug, executionId);
                await Task.Delay(_options.StoreRetryDelay, clock);
            }
        }
    }

    DateTimeOffset IDependencyShell.Now => clock.GetUtcNow();

    Guid? IDependencyShell.RunningExecution => RunInProgress()?.CurrentExecutionId;

    string? IDependencyShell.NotRunReason => NotRunReason();

    /// <summary>Why a run not on the schedule (a dependency run, a one-off run) is recorded skipped instead of run, or null to run it.</summary>
    private string? NotRunReason() => _job switch
    {
        null => "not run: the job is no longer in the store",
        { DeletedAt: not null } => "not run: the job was deleted",
        { IsOrphaned: true } => "not run: the job is no longer defined in code or configuration",
        { IsEnabled: false } => "not run: the job is disabled",
        _ when _definition is null => "not run: " + (_definitionProblem ?? "the silo hosting the job has no definition of it"),
        _ when settings.Current.SchedulingPaused => JobPlanner.PausedReason,
        _ => LeftRunningSkipReason(),
    };

    ExecutionClaim IDependencyShell.NewDependencyClaim(string occurrenceKey, DateTimeOffset now, string? reason) =>
        OwnClaim(Guid.CreateVersion7(), occurrenceKey, now, null, TriggerSource.Dependency, null, reason);

    Task IDependencyShell.StartRunAsync(ExecutionClaim claim) => ((ITriggerShell)this).StartRunAsync(claim);
}
