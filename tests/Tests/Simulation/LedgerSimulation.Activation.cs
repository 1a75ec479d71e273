using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Simulation;

public sealed partial class LedgerSimulation
{
    /// <summary>
    /// One activation of the job on one silo: the shell the job grain is, with the simulation's timer and runs. Its clock is the
    /// silo's (skewed); leases are judged by the store's.
    /// </summary>
    private sealed class Activation : IPlanShell, ITriggerShell
    {
        private readonly LedgerSimulation _sim;
        private readonly List<SimRun> _running = [];
        // Failed attempts whose retry is waiting for its backoff or its claim.
        private readonly List<Guid> _backoff = [];
        private int _timerVersion;
        private DateTimeOffset? _armedAt;
        private bool _reload;

        public Activation(LedgerSimulation sim, Silo silo, int number)
        {
            _sim = sim;
            Silo = silo;
            Number = number;
            Owner = silo.Owner;
            Planner = new JobPlanner(new PlannerSettings(sim.ClaimAhead, MisfireThreshold, MaxMissedRecorded, Lease, Owner), sim.NewId, sim._random);
        }

        public Silo Silo { get; }
        public ManualTriggers Triggers { get; } = new();
        /// <summary>The lease owner: the silo's name and generation (a silo back from a death is a new one, as in Orleans).</summary>
        public string Owner { get; }
        public int Number { get; }
        public JobPlanner Planner { get; }
        public bool Live { get; set; } = true;
        public DateTimeOffset Now => _sim.Now + Silo.Skew;

        public void Load()
        {
            if (!Live)
            {
                return;
            }
            try
            {
                var load = _sim.Store.LoadJobAsync(Slug, Owner, Lease, CancellationToken.None).GetAwaiter().GetResult();
                Planner.Load(load.Job, Parse(load.Job!), defined: true, Now, load.TakenOver);
                if (load.TakenOver.Count > 0)
                {
                    _sim.Log($"#{Number} took over {string.Join(", ", load.TakenOver.Select(r => r.OccurrenceKey))}");
                }
            }
            catch (StoreUnavailableException)
            {
                // The activation's first tick reads again (the grain's activation would fail and be retried by its caller).
                _sim.At(_sim.Now + StoreRetryDelay, Load);
                return;
            }
            Tick();
        }

        /// <summary>As the grain's reminder: read the job again, then plan.</summary>
        public void Heartbeat()
        {
            _reload = true;
            Tick();
        }

        public void ReloadBeforeNextTick()
        {
            _reload = true;
            ((IPlanShell)this).Arm(Now + StoreRetryDelay);
        }

        public void Changed(JobRecord job, DateTimeOffset? reset)
        {
            Planner.Changed(job, Parse(job), reset);
            Tick();
        }

        private void Tick()
        {
            if (!Live)
            {
                return;
            }
            try
            {
                if (_reload)
                {
                    var load = _sim.Store.LoadJobAsync(Slug, Owner, Lease, CancellationToken.None).GetAwaiter().GetResult();
                    Planner.Load(load.Job, Parse(load.Job!), defined: true, Now, load.TakenOver);
                    _reload = false;
                }
                PlanExecutor.TickAsync(Planner, _sim.Store, this, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (StoreUnavailableException)
            {
                ((IPlanShell)this).Arm(Now + StoreRetryDelay);
            }
        }

        // As the grain: a run whose end is only being written is no longer in progress.
        // A run waiting for its retry (its failed attempt ended, the backoff running) is still in progress, as in the grain.
        public PlanInputs Inputs() => new(Now, _sim._paused, Stopping: false,
            _running.Find(r => !r.Writing)?.ExecutionId ?? (_backoff.Count > 0 ? _backoff[0] : null), LeftRunningReason: null, Silo.StartsThrough);

        public void StartRun(StartRunCommand command)
        {
            var claim = command.Claim;
            var run = new SimRun(claim.ExecutionId, claim.OccurrenceKey, Silo, claim.RetryCount);
            if (!_sim.Runs.TryAdd(run.ExecutionId, run))
            {
                // The same row started twice (a claim handed over although its run had begun): the invariant check reports it.
                _sim.StartedTwice.Add(claim.OccurrenceKey);
            }
            _running.Add(run);
            _sim.Log($"#{Number} starts {claim.OccurrenceKey} ({claim.TriggeredBy}) as {claim.ExecutionId}");
            var length = _sim._random.Next(10) == 0 ? _sim.Ms(3000, (int)LongestRun.TotalMilliseconds) : _sim.Ms(50, 2500);
            var startedAt = claim.StartedAt ?? Now;
            _sim.At(_sim.Now + length, () =>
            {
                if (run.Outcome is not null)
                {
                    return; // killed with its silo
                }
                run.Outcome = _sim._random.Next(5) == 0 ? RunOutcome.Failed : RunOutcome.Succeeded;
                run.Code = run.Outcome;
                run.Writing = true;
                if (Planner.HasCatchUps)
                {
                    ((IPlanShell)this).Arm(Now);
                }
                var completion = new ExecutionCompletion
                {
                    ExecutionId = run.ExecutionId, Status = run.Outcome == RunOutcome.Succeeded ? ExecutionStatus.Succeeded : ExecutionStatus.Failed,
                    StartedAt = startedAt, CompletedAt = Now, DurationMs = (long)length.TotalMilliseconds,
                };
                // As the grain's run loop: the end is written, then after a backoff the next attempt is claimed and run.
                Action? then = null;
                if (Retries.ShouldRetry(completion.Status, jobStillRunning: false, cancelledFromOutside: false, claim.RetryCount, _sim.MaxRetries, stopping: false))
                {
                    _backoff.Add(claim.ExecutionId);
                    var backoff = TimeSpan.FromMilliseconds(300 * (claim.RetryCount + 1));
                    var next = Retries.NextAttempt(claim, _sim.NewId(), _sim.MaxRetries, backoff);
                    then = () => _sim.At(_sim.Now + backoff, () => ClaimRetry(claim.ExecutionId, next, Now + backoff + Lease));
                }
                WriteCompletion(run, completion, Now + Lease * Grains.Hosting.SchedulerOptions.CompletionRetryLeases, then);
            });
        }

        /// <summary>As the grain's <c>ClaimRetryAsync</c>: asked again with its id through store failures for up to a lease, then given up.</summary>
        private void ClaimRetry(Guid failed, ExecutionClaim next, DateTimeOffset deadline)
        {
            if (!Silo.Alive || Silo.Owner != Owner)
            {
                return; // the silo died during the backoff: no retry
            }
            try
            {
                if (_sim.Store.TryClaimAsync(next, CancellationToken.None).GetAwaiter().GetResult())
                {
                    _backoff.Remove(failed);
                    StartRun(new StartRunCommand(next with { StartedAt = Now }, StartUnrecorded: true));
                    return;
                }
                _sim.Log($"#{Number} lost the claim of retry {next.RetryCount} of {next.OccurrenceKey}");
            }
            catch (StoreUnavailableException) when (Now < deadline)
            {
                _sim.At(_sim.Now + StoreRetryDelay, () => ClaimRetry(failed, next, deadline));
                return;
            }
            catch (StoreUnavailableException)
            {
                _sim.Log($"#{Number} gave up the claim of retry {next.RetryCount} of {next.OccurrenceKey}");
                GiveUp(next, "not run: the claim of this retry got no answer");
            }
            _backoff.Remove(failed);
        }

        /// <summary>As the grain: retried through a store outage (<c>SchedulerOptions.CompletionRetryLeases</c>).</summary>
        private void WriteCompletion(SimRun run, ExecutionCompletion completion, DateTimeOffset deadline, Action? then = null)
        {
            if (!run.Writing)
            {
                return; // its silo died meanwhile
            }
            try
            {
                var recorded = _sim.Store.CompleteAsync(completion, CancellationToken.None).GetAwaiter().GetResult();
                _sim.Log($"#{Number} ended {run.OccurrenceKey} {completion.Status}{(recorded ? "" : " (refused: no longer running)")}");
            }
            catch (StoreUnavailableException) when (Now < deadline)
            {
                _sim.At(_sim.Now + StoreRetryDelay, () => WriteCompletion(run, completion, deadline, then));
                return;
            }
            catch (StoreUnavailableException)
            {
                _sim.Log($"#{Number} gave up writing the end of {run.OccurrenceKey}");
            }
            run.Writing = false;
            _running.Remove(run);
            if (Planner.HasCatchUps)
            {
                ((IPlanShell)this).Arm(Now);
            }
            then?.Invoke();
        }

        public Task ReloadAsync(CancellationToken cancellationToken)
        {
            var load = _sim.Store.LoadJobAsync(Slug, Owner, Lease, cancellationToken).GetAwaiter().GetResult();
            Planner.Load(load.Job, Parse(load.Job!), defined: true, Now, load.TakenOver);
            _sim.Log($"#{Number} reloaded the job (version {load.Job!.Version}){(load.TakenOver.Count > 0 ? $", took over {string.Join(", ", load.TakenOver.Select(r => r.OccurrenceKey))}" : "")}");
            return Task.CompletedTask;
        }

        public void Arm(DateTimeOffset at)
        {
            _armedAt = at;
            var version = ++_timerVersion;
            _sim.At(at - Silo.Skew, () =>
            {
                if (version == _timerVersion)
                {
                    Tick();
                }
            });
        }

        public void Disarm()
        {
            _timerVersion++;
            _armedAt = null;
        }

        // As the grain (ITriggerShell): a manual trigger through this activation.
        public Guid? RunningExecution => _running.Find(r => !r.Writing)?.ExecutionId;

        public string? LeftRunningRefusal => null;

        public ExecutionClaim NewManualClaim(DateTimeOffset now, string userId, string? note)
        {
            var id = _sim.NewId();
            return new ExecutionClaim
            {
                ExecutionId = id, CronJobId = _sim.JobId, OccurrenceKey = OccurrenceKeys.Manual(id), ScheduledFor = now, StartedAt = now,
                TriggeredBy = TriggerSource.Manual, TriggeredByUserId = userId, RetryCount = 0, LeaseOwner = Owner, LeaseDuration = Lease,
                StatusReason = note, AdvancesSchedule = false,
            };
        }

        // The grain also records the start at once (best effort); the simulation leaves it to the run's end.
        public Task StartRunAsync(ExecutionClaim claim)
        {
            StartRun(new StartRunCommand(claim, StartUnrecorded: true));
            return Task.CompletedTask;
        }

        public void GiveUp(ExecutionClaim claim, string reason)
        {
            Planner.GiveUp(claim, reason);
            var soon = Now + StoreRetryDelay;
            ((IPlanShell)this).Arm(_armedAt is { } armed && armed < soon ? armed : soon);
        }

        public Task SetInvalidAsync(string reason, CancellationToken cancellationToken) =>
            _sim.Store.SetInvalidReasonAsync(_sim.JobId, reason, cancellationToken);

        public Task EndUnrunAsync(EndUnrunCommand command) =>
            _sim.Store.CompleteAsync(new ExecutionCompletion
            {
                ExecutionId = command.Claim.ExecutionId, Status = command.Status, CompletedAt = command.At, StatusReason = command.Reason,
                HeldBy = command.Claim.LeaseOwner,
            }, CancellationToken.None);

        public void Observe(PlanCommand command, bool? outcome)
        {
            switch (command)
            {
                case ClaimCommand claim:
                    _sim.Log($"#{Number} claim {claim.Kind} {claim.Claim.OccurrenceKey}: {(outcome == true ? "won" : "held by another")}");
                    break;
                case RecordUnrunCommand unrun:
                    _sim.Log($"#{Number} recorded {string.Join(", ", unrun.Rows.Select(r => $"{r.OccurrenceKey} {r.Status}"))}");
                    break;
                case EndUnrunCommand end:
                    _sim.Log($"#{Number} ended {end.Claim.OccurrenceKey} {end.Status} unrun: {end.Reason}");
                    break;
                case ReleaseCommand release:
                    _sim.Log($"#{Number} released {release.Claim.OccurrenceKey} ({release.Reason}): {(outcome == true ? "removed" : "handed over (or already started)")}");
                    break;
            }
        }

        public void ReleaseFailed(ReleaseCommand command, Exception exception) =>
            _sim.Log($"#{Number} release of {command.Claim.OccurrenceKey} failed: {exception.Message}");
    }
}
