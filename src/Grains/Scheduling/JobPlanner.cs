using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Scheduling;

/// <summary>What the planner reads of its surroundings at each step.</summary>
/// <param name="Now">The clock.</param>
/// <param name="Paused">Scheduling is paused cluster-wide.</param>
/// <param name="Stopping">The silo hosting this activation is stopping.</param>
/// <param name="Running">The execution of this job running here (the first, if several), or null.</param>
/// <param name="LeftRunningReason">Why a due occurrence must not start (attempts left running past their cancellation), or null.</param>
/// <param name="StartsThrough">
/// The latest instant of an occurrence this silo may start: its last check-in the database accepted plus the start window
/// (<c>Fencing.SiloCheckIn</c>); null for no bound. A claimed occurrence past it waits, and is claimed at its instant only once
/// inside it: a survivor may hand a dead silo's claims past that bound over, so starting one could run it twice.
/// </param>
public readonly record struct PlanInputs(DateTimeOffset Now, bool Paused, bool Stopping, Guid? Running, string? LeftRunningReason,
    DateTimeOffset? StartsThrough = null);

/// <summary>The settings the planner decides with (from <see cref="Hosting.SchedulerOptions"/>).</summary>
public sealed record PlannerSettings(TimeSpan ClaimAhead, TimeSpan MisfireThreshold, int MaxMissedRecorded, TimeSpan LeaseDuration, string LeaseOwner);

/// <summary>
/// Every scheduling decision of one job's activation, with no I/O and no clock of its own: which occurrences are due and what
/// the misfire policy makes of them, claims at the instant and ahead of it, what a claim ahead becomes at its instant or when
/// it must not run, queued catch-ups, and when to wake next. A shell (the job grain, or the simulation) asks for the next
/// command (<see cref="Next"/>), carries it out and reports the outcome, until the command is <see cref="ArmCommand"/> or
/// <see cref="DisarmCommand"/>.
/// </summary>
/// <remarks>
/// The ledger's rule that the planner keeps: <c>cronJob.lastScheduledFor</c> only moves past an occurrence that has a row
/// (claimed, running or ended) or is counted in a summary row. Everything this activation remembers beyond the store (a claim
/// ahead, queued catch-ups, unanswered claims) is an optimisation or a courtesy: losing it with the activation never loses an
/// occurrence, because the next activation plans again from the store.
/// </remarks>
public sealed class JobPlanner(PlannerSettings settings, Func<Guid> newId, Random random)
{
    /// <summary>The status reason of an occurrence skipped while scheduling is globally paused (<c>schedulingPaused</c>).</summary>
    public const string PausedReason = "paused";

    /// <summary>
    /// How soon an occurrence held back by the start window (<see cref="PlanInputs.StartsThrough"/>) looks again, at least and
    /// at most: as soon as it is behind the window by, within these bounds. The window closes only when check-ins are late or
    /// fail: just behind (a check-in late under load) it looks again soon, so the start is late by little; far behind (the
    /// database down, or the silo declared dead) once a second, an in-memory step per job.
    /// </summary>
    public static readonly TimeSpan StartWindowRecheck = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait before an occurrence held back by the start window looks again (see <see cref="StartWindowRecheck"/>).</summary>
    public static readonly TimeSpan StartWindowRecheckMax = TimeSpan.FromSeconds(1);

    private readonly Queue<DateTimeOffset> _catchUps = new();
    // Scheduled claims whose store call failed without an answer: it may have committed, its reply lost. The next claim of the
    // same occurrence reuses the execution id, so the store can say the row is this claimant's (a claim is idempotent by its id)
    // instead of someone else's, which would leave the occurrence claimed, never run, and later abandoned.
    private readonly Dictionary<string, ExecutionClaim> _unanswered = new(StringComparer.Ordinal);
    // Unanswered claims that will not be asked again (the job changed or was disabled): each is ended skipped, in case it
    // committed, instead of being left to expire as abandoned (found by the simulation).
    private readonly Queue<(ExecutionClaim Claim, string Reason)> _orphans = new();
    private JobRecord? _job;
    private CronSchedule? _schedule;
    private bool _defined;
    private DateTimeOffset _lastHandled;
    private DateTimeOffset _releasedHandledBefore;
    // Claims handed over by an activation that went, taken over by this one at load: resolved one by one like a claim ahead.
    private readonly Queue<ExecutionClaim> _takenOver = new();
    // Within one tick: the rest of a plan waiting for the step before it, and a tick's last word.
    private IReadOnlyList<PlannedOccurrence>? _dueAfterUnrun;
    private IReadOnlyList<PlannedOccurrence>? _queueAfterClaim;
    private StartRunCommand? _start;
    private PlanCommand? _end;
    private bool _reload;
    private bool _reloadedThisTick;

    /// <summary>An occurrence claimed ahead, waiting for its instant, and where the schedule stood before it.</summary>
    public sealed record AheadClaim(ExecutionClaim Claim, DateTimeOffset HandledBefore);

    public AheadClaim? Ahead { get; private set; }

    /// <summary>Whether the schedule should fire: the job exists, is enabled, still defined, and its schedule is valid.</summary>
    public bool IsSchedulable => _job is { IsEnabled: true, IsOrphaned: false } && _defined && _schedule is not null;

    /// <summary>
    /// The latest occurrence already dealt with, counting catch-ups queued to run (RunAll): they must not be planned twice.
    /// </summary>
    public DateTimeOffset PlannedThrough => _catchUps.Count > 0 && _catchUps.Max() > _lastHandled ? _catchUps.Max() : _lastHandled;

    /// <summary>Catch-ups (RunAll) wait for the run in progress: its end must wake the job.</summary>
    public bool HasCatchUps => _catchUps.Count > 0;

    /// <summary>
    /// Nothing in hand that only this activation knows: no claim ahead, unanswered, handed over or to be ended, no catch-up, no
    /// reload asked. The job may then sleep: a new activation rebuilds the same plan from the store.
    /// </summary>
    public bool IsQuiet => Ahead is null && _catchUps.Count == 0 && _unanswered.Count == 0 && _orphans.Count == 0 && _takenOver.Count == 0 && !_reload;

    /// <summary>The last occurrence handled, as the snapshot shows it.</summary>
    public DateTimeOffset LastHandled => _lastHandled;

    /// <summary>The next instant this job fires at, or null when it does not.</summary>
    public DateTimeOffset? NextFireAt => IsSchedulable ? Ahead?.Claim.ScheduledFor ?? _schedule!.Next(PlannedThrough) : null;

    /// <summary>
    /// The job as read from the store: planning restarts from its <c>lastScheduledFor</c>. <paramref name="takenOver"/>: claims
    /// another activation handed over and this one now owns (see <see cref="IJobStore.LoadJobAsync"/>); each is run at its
    /// instant, or handled late as a claim ahead is, since the schedule was planned through it.
    /// </summary>
    public void Load(JobRecord? job, CronSchedule? schedule, bool defined, DateTimeOffset now, IReadOnlyList<ExecutionRecord>? takenOver = null)
    {
        // The same version read again (after a refused claim): what this activation planned beyond the store stays planned
        // (catch-ups waiting, occurrences another holds). A new version may have reset the schedule position: the store's holds.
        var stored = job?.LastScheduledFor ?? now;
        var sameVersion = _job is not null && job is not null && _job.Id == job.Id && _job.Version == job.Version;
        _lastHandled = sameVersion && _lastHandled > stored ? _lastHandled : stored;
        if (!sameVersion)
        {
            // A change read back (its reply to the admin call was lost) may have reset the schedule position before the claim
            // ahead: it is judged from there, as Changed does (found by the simulation: a taken-over claim ran, and the new
            // schedule's occurrences before it were planned past without a row).
            if (Ahead is { } ahead && stored < ahead.HandledBefore)
            {
                Ahead = ahead with { HandledBefore = stored };
            }
            // Catch-ups queued on the job as it was: the store's position is before them, so they are planned again if still due.
            _catchUps.Clear();
            if (_job is not null)
            {
                OrphanUnanswered("not run: the job was changed before this claim was answered");
            }
        }
        _job = job;
        _schedule = schedule;
        _defined = defined;
        foreach (var row in (takenOver ?? []).OrderBy(r => r.ScheduledFor))
        {
            _takenOver.Enqueue(new ExecutionClaim
            {
                ExecutionId = row.Id, CronJobId = row.CronJobId, OccurrenceKey = row.OccurrenceKey, ScheduledFor = row.ScheduledFor,
                StartedAt = null, TriggeredBy = row.TriggeredBy, RetryCount = row.RetryCount, LeaseOwner = settings.LeaseOwner,
                LeaseDuration = settings.LeaseDuration, AdvancesSchedule = true,
            });
        }
    }

    /// <summary>An admin changed the job; <paramref name="resetTo"/> is its new <c>lastScheduledFor</c> when the change reset it.</summary>
    public void Changed(JobRecord job, CronSchedule? schedule, DateTimeOffset? resetTo)
    {
        _job = job;
        _schedule = schedule;
        if (resetTo is { } reset)
        {
            // Planning starts again from the reset: catch-ups queued by the old schedule go with it (found by the simulation:
            // one ran after a reschedule and moved the schedule position past the new schedule's occurrences).
            _lastHandled = reset;
            _catchUps.Clear();
            OrphanUnanswered("not run: the job was changed before this claim was answered");
            if (Ahead is { } ahead && reset < ahead.HandledBefore)
            {
                Ahead = ahead with { HandledBefore = reset };
            }
        }
    }

    /// <summary>Starts a tick: what an earlier tick left half done is planned again from the state.</summary>
    public void BeginTick()
    {
        _dueAfterUnrun = null;
        _queueAfterClaim = null;
        _start = null;
        _end = null;
        _reload = false;
        _reloadedThisTick = false;
    }

    /// <summary>The next command of this tick.</summary>
    public PlanCommand Next(PlanInputs inputs)
    {
        if (_start is { } start)
        {
            _start = null;
            return start;
        }
        if (_reload)
        {
            // What was planned on the job as it was is planned again on the job as it is.
            _reload = false;
            _reloadedThisTick = true;
            _dueAfterUnrun = null;
            _queueAfterClaim = null;
            return ReloadCommand.Instance;
        }
        if (_end is { } end)
        {
            _end = null;
            return end;
        }
        if (_dueAfterUnrun is { } due)
        {
            _dueAfterUnrun = null;
            return ClaimDue(due, inputs);
        }
        if (!IsSchedulable && _unanswered.Count > 0)
        {
            OrphanUnanswered("not run: the job was disabled, or can no longer be scheduled, before this claim was answered");
        }
        if (_orphans.TryPeek(out var orphan))
        {
            return new EndUnrunCommand(orphan.Claim, ExecutionStatus.Skipped, orphan.Reason, inputs.Now);
        }
        return AskAgain(inputs) ?? ResolveAhead(inputs) ?? StartQueuedCatchUp(inputs) ?? PlanDue(inputs) ?? Arm(inputs);
    }

    /// <summary>
    /// A claim still without an answer whose occurrence planning has already passed: asked again, with its id. A claim that
    /// committed moves <c>lastScheduledFor</c>, so a reload (the heartbeat, a refused claim) plans from past it; unasked, the
    /// occurrence would stay claimed by nobody and end abandoned (found by the simulation).
    /// </summary>
    private PlanCommand? AskAgain(PlanInputs inputs)
    {
        if (!IsSchedulable || inputs.Stopping || _unanswered.Count == 0)
        {
            return null;
        }
        var through = PlannedThrough;
        var passed = _unanswered.Values.Where(c => c.ScheduledFor <= through && Ahead?.Claim.OccurrenceKey != c.OccurrenceKey)
            .OrderBy(c => c.ScheduledFor).FirstOrDefault();
        if (passed is null)
        {
            return null;
        }
        if (passed.ScheduledFor > inputs.Now)
        {
            return new ClaimCommand(passed with { StartedAt = null }, ClaimKind.Ahead);
        }
        // Due: it runs unless a claim ahead at its instant would not (a run in progress, a pause, a late skip); it is then
        // recorded under the unanswered claim's id, which ends that row as recorded if the claim had committed.
        if (WhyNotStart(inputs, passed.ScheduledFor) is { } unrun)
        {
            return new RecordUnrunCommand([BehindQueuedCatchUps(Unrun(passed.ScheduledFor, unrun.Status, inputs.Now, unrun.Reason))], 0);
        }
        return (PlanCommand?)OutsideStartWindow(inputs, passed.ScheduledFor) ?? new ClaimCommand(passed with { StartedAt = null }, ClaimKind.Due, RunsAt: inputs.Now);
    }

    /// <summary>
    /// Why an occurrence this activation holds (a claim ahead at its instant, or an unanswered claim asked again) must not start
    /// now, and how it ends instead; null when it starts.
    /// </summary>
    private (ExecutionStatus Status, string Reason)? WhyNotStart(PlanInputs inputs, DateTimeOffset scheduledFor)
    {
        if (inputs.Running is { } running)
        {
            return (ExecutionStatus.Skipped, OverlapReason(running));
        }
        if (inputs.LeftRunningReason is { } leftRunning)
        {
            return (ExecutionStatus.Skipped, leftRunning);
        }
        if (inputs.Paused)
        {
            // Paused after the claim was taken: the occurrence ends skipped, as one due during the pause would.
            return (ExecutionStatus.Skipped, PausedReason);
        }
        var policy = _job!.MisfirePolicy;
        var now = inputs.Now;
        if (now - scheduledFor <= settings.MisfireThreshold)
        {
            return null;
        }
        if (policy == MisfirePolicy.Skip)
        {
            // The silo stalled past the misfire threshold between the claim and the instant.
            return (ExecutionStatus.Missed, MissReason(MisfirePolicy.Skip, scheduledFor, now));
        }
        // A misfire under run_once or run_all (a claim taken over after a whole-cluster stop, or a silo that stalled): it runs
        // if it is the newest due occurrence; otherwise the later ones are planned by the policy and it is missed (found by the
        // cluster test of a whole-cluster stop: it ran on top of the policy's own run).
        return _schedule!.Next(scheduledFor) is { } next && next <= now
            ? (ExecutionStatus.Missed, $"misfire ({policy.ToText()}): fell due {(now - scheduledFor).TotalSeconds:0.#} s ago and later occurrences are due too; the policy runs the newest")
            : null;
    }

    /// <summary>
    /// Queued catch-ups have no row yet: a row recorded past them must not move the schedule past them (found by the
    /// simulation: the activation then ended, and the queued occurrences were neither run nor recorded).
    /// </summary>
    private UnrunOccurrence BehindQueuedCatchUps(UnrunOccurrence unrun) =>
        _catchUps.Count > 0 && unrun.ScheduledFor > _catchUps.Min() ? unrun with { AdvancesSchedule = false } : unrun;

    /// <summary>
    /// For a deactivation: the claims still waiting for an answer (and those already given up on), as ends to write once; none
    /// will be asked again by this activation, and the next one plans from the store, past them if they committed.
    /// </summary>
    public IReadOnlyList<EndUnrunCommand> EndUnanswered(string reason, DateTimeOffset now)
    {
        OrphanUnanswered(reason);
        var ends = _orphans.Select(o => new EndUnrunCommand(o.Claim, ExecutionStatus.Skipped, o.Reason, now)).ToList();
        _orphans.Clear();
        return ends;
    }

    /// <summary>
    /// A claim recorded outside the plan (a manual trigger) whose answer was lost and that nothing will ask for again (one
    /// without an idempotency key; one with a key whose activation goes): it is ended skipped at the start of the next tick, or
    /// at deactivation, in case it committed. Otherwise its row would stay open with no run behind it until its lease expired.
    /// </summary>
    public void GiveUp(ExecutionClaim claim, string reason) => _orphans.Enqueue((claim, reason));

    /// <summary>Only the release of a claim ahead (no due occurrence, no arming): for a deactivation, it is handed over.</summary>
    public ReleaseCommand? ReleaseAhead(string reason, bool withdraw = false)
    {
        if (Ahead is not { } ahead)
        {
            return null;
        }
        Ahead = null;
        _releasedHandledBefore = ahead.HandledBefore;
        return new ReleaseCommand(ahead.Claim, reason, withdraw);
    }

    /// <summary>
    /// A command other than a claim was carried out. <paramref name="answer"/>: for a release, whether the row was removed; for
    /// unrun rows, whether all were recorded (false: the job changed since they were planned).
    /// </summary>
    public void Done(PlanCommand command, bool answer = false)
    {
        switch (command)
        {
            case RecordUnrunCommand when !answer:
                RequestReload();
                break;
            case EndUnrunCommand end when _orphans.TryPeek(out var orphan) && orphan.Claim.ExecutionId == end.Claim.ExecutionId:
                _orphans.Dequeue();
                break;
            case RecordUnrunCommand unrun:
                foreach (var row in unrun.Rows)
                {
                    _unanswered.Remove(row.OccurrenceKey);
                }
                var recorded = unrun.Rows.Select(u => u.ScheduledFor).ToHashSet();
                while (_catchUps.Count > 0 && recorded.Contains(_catchUps.Peek()))
                {
                    _catchUps.Dequeue();
                }
                Advance(unrun.Rows.Max(u => u.ScheduledFor));
                break;
            case ReleaseCommand release when answer && _lastHandled == release.Claim.ScheduledFor:
                // Removed (the schedule position is before it): planned again from where it stood before the claim.
                _lastHandled = _releasedHandledBefore;
                break;
        }
    }

    /// <summary>The store answered a claim: <paramref name="won"/> is false when someone else holds the occurrence.</summary>
    public void Claimed(ClaimCommand command, bool won)
    {
        var claim = command.Claim;
        _unanswered.Remove(claim.OccurrenceKey);
        if (!won)
        {
            // Held by another activation, or refused because the job changed under this one: read it again either way.
            RequestReload();
        }
        if (command.Kind == ClaimKind.Ahead)
        {
            if (won)
            {
                Ahead = new AheadClaim(claim, _lastHandled);
            }
            Advance(claim.ScheduledFor);
            return;
        }
        if (_catchUps.Count > 0 && _catchUps.Peek() == claim.ScheduledFor)
        {
            _catchUps.Dequeue();
        }
        foreach (var later in _queueAfterClaim ?? [])
        {
            _catchUps.Enqueue(later.ScheduledFor);
        }
        _queueAfterClaim = null;
        Advance(claim.ScheduledFor);
        if (won)
        {
            // The row says claimed: the lease maintenance records the start if the run lasts, and its end carries it anyway.
            _start = new StartRunCommand(claim with { StartedAt = command.RunsAt }, StartUnrecorded: true);
        }
    }

    /// <summary>A command failed (the store did not answer): the tick ends, and the next plans again from the state.</summary>
    public void Failed(PlanCommand command)
    {
        // A claim's id stays in _unanswered: its next claim reuses it.
        BeginTick();
    }

    private PlanCommand? ResolveAhead(PlanInputs inputs)
    {
        if (Ahead is null && _takenOver.TryDequeue(out var taken))
        {
            // Its instant may be past: a late start follows the misfire rules a claim ahead does. Planning stood just before it,
            // or where a reset of the schedule put it since (then it is still run only if it is the next occurrence from there).
            var before = taken.ScheduledFor - TimeSpan.FromTicks(1);
            Ahead = new AheadClaim(taken, _lastHandled < before ? _lastHandled : before);
        }
        if (Ahead is not { } ahead)
        {
            return null;
        }
        if (ReleaseReason(ahead, inputs) is { } release)
        {
            Ahead = null;
            _releasedHandledBefore = ahead.HandledBefore;
            return new ReleaseCommand(ahead.Claim, release.Reason, release.Withdraw);
        }
        var now = inputs.Now;
        var scheduledFor = ahead.Claim.ScheduledFor;
        if (scheduledFor > now)
        {
            return null;
        }
        if (OutsideStartWindow(inputs, scheduledFor) is { } wait)
        {
            return wait;
        }
        Ahead = null;
        Advance(scheduledFor);
        if (WhyNotStart(inputs, scheduledFor) is { } unrun)
        {
            return new EndUnrunCommand(ahead.Claim, unrun.Status, unrun.Reason, now);
        }
        // No write here: the fence is already held. The row turns running if the run lasts (lease maintenance), and its end
        // carries the start time in any case.
        return new StartRunCommand(ahead.Claim with { StartedAt = now }, StartUnrecorded: true);
    }

    /// <summary>
    /// Why the claim ahead must not run any more, or null while it still should; and whether the occurrence is withdrawn (no
    /// longer the job's) rather than handed over to the job's next activation.
    /// </summary>
    private (string Reason, bool Withdraw)? ReleaseReason(AheadClaim ahead, PlanInputs inputs)
    {
        if (inputs.Stopping)
        {
            return ("the silo is stopping", false);
        }
        if (!IsSchedulable)
        {
            // Disabling reset the schedule position: the occurrence is withdrawn. A job that cannot be scheduled (no definition
            // here, an invalid schedule) keeps it handed over: it is taken over if the job comes back, else recorded missed.
            return _job is { IsEnabled: false } ? ("the job was disabled", true) : ("the job can no longer be scheduled", false);
        }
        var scheduledFor = ahead.Claim.ScheduledFor;
        // Still the schedule's next occurrence after where planning stood: a new schedule that also fires at that instant may
        // fire before it too (found by the simulation: those occurrences were planned past, neither run nor recorded). If it
        // still fires then, the occurrence is handed over (this activation claims it again in turn, or another one does).
        if (_schedule!.Next(ahead.HandledBefore) == scheduledFor)
        {
            return null;
        }
        return _schedule.Next(scheduledFor - TimeSpan.FromTicks(1)) == scheduledFor
            ? ("the schedule changed: that instant is not its next occurrence any more", false)
            : ("the schedule changed and no longer fires at that instant", true);
    }

    /// <summary>The next queued catch-up (RunAll) when nothing of this job is running.</summary>
    private PlanCommand? StartQueuedCatchUp(PlanInputs inputs)
    {
        if (!IsSchedulable || inputs.Stopping)
        {
            _catchUps.Clear();
            return null;
        }
        if (_catchUps.Count == 0 || inputs.Running is not null)
        {
            return null;
        }
        if ((inputs.Paused ? PausedReason : inputs.LeftRunningReason) is { } skipReason)
        {
            // Queued catch-ups are scheduled occurrences too: a pause, or the bound of attempts left running, skips them.
            // Dequeued once recorded: if the write fails, they are still waiting (found by the simulation: cleared first, they
            // were lost with the failed write while later occurrences moved the schedule past them).
            var skipped = _catchUps.Select(o => Unrun(o, ExecutionStatus.Skipped, inputs.Now, skipReason)).ToList();
            return new RecordUnrunCommand(skipped, 0);
        }
        // Dequeued only once the claim is answered: if the store fails, the next tick tries the same occurrence again.
        return (PlanCommand?)OutsideStartWindow(inputs, _catchUps.Peek()) ?? NewDueClaim(_catchUps.Peek(), TriggerSource.CatchUp, inputs.Now);
    }

    /// <summary>Everything due in (planned through, now]: runs, catch-ups, overlaps and misses.</summary>
    private PlanCommand? PlanDue(PlanInputs inputs)
    {
        if (!IsSchedulable || inputs.Stopping)
        {
            // While the silo stops, due occurrences are left to whichever silo hosts the job next (misfire handling there).
            return null;
        }
        var job = _job!;
        var now = inputs.Now;
        if (_schedule!.Next(PlannedThrough) is not { } next || next > now)
        {
            // The common case (the tick of an occurrence claimed ahead, or an early tick): the plan's buffers are not worth
            // allocating thousands of times a second.
            return null;
        }
        var plan = MisfirePlanner.Plan(_schedule!, PlannedThrough, now, job.MisfirePolicy, job.MisfireRunAllCap,
            settings.MisfireThreshold, settings.MaxMissedRecorded);
        var unrun = new List<UnrunOccurrence>();
        if (plan.UnrecordedMissed > 0)
        {
            // Keyed by its range, not by one occurrence of it: that occurrence can already have a row of its own (a skip recorded
            // while catch-ups waited), and the summary would then be dropped as a duplicate (found by the simulation).
            unrun.Add(Unrun(plan.UnrecordedTo!.Value, ExecutionStatus.Missed, now,
                $"{plan.UnrecordedMissed} occurrences from {plan.UnrecordedFrom:O} to {plan.UnrecordedTo:O} were missed while it could not run (no silo hosted the job, or the database was unreachable); " +
                $"only the newest {settings.MaxMissedRecorded} get a row each, this row stands for all of them.")
                with { OccurrenceKey = OccurrenceKeys.Summary(plan.UnrecordedFrom!.Value, plan.UnrecordedTo.Value) });
        }
        var toRun = new List<PlannedOccurrence>();
        foreach (var occurrence in plan.Occurrences)
        {
            if (occurrence.Action == PlannedAction.Miss)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Missed, now, MissReason(job.MisfirePolicy, occurrence.ScheduledFor, now)));
            }
            else if (inputs.Paused)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Skipped, now, PausedReason));
            }
            else if (inputs.Running is { } running)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Skipped, now, OverlapReason(running)));
            }
            else if (inputs.LeftRunningReason is { } leftRunning)
            {
                unrun.Add(Unrun(occurrence.ScheduledFor, ExecutionStatus.Skipped, now, leftRunning));
            }
            else
            {
                toRun.Add(occurrence);
            }
        }
        unrun = [.. unrun.Select(BehindQueuedCatchUps)];
        if (unrun.Count > 0)
        {
            _dueAfterUnrun = toRun.Count > 0 ? toRun : null;
            return new RecordUnrunCommand(unrun, plan.UnrecordedMissed);
        }
        return toRun.Count > 0 ? ClaimDue(toRun, inputs) : null;
    }

    /// <summary>
    /// Several runs only happen under RunAll: they go one after another, never overlapping. The later ones are queued only
    /// once the first is claimed: the queue counts as planned (<see cref="PlannedThrough"/>), so queuing them before a claim
    /// that fails (the database down) would skip the first occurrence for good. The fault suite's database restart found this.
    /// </summary>
    private PlanCommand ClaimDue(IReadOnlyList<PlannedOccurrence> toRun, PlanInputs inputs)
    {
        var first = toRun[0];
        if (OutsideStartWindow(inputs, first.ScheduledFor) is { } wait)
        {
            // Not claimed: the next tick plans these occurrences again, from where planning stands.
            return wait;
        }
        _queueAfterClaim = toRun.Count > 1 ? toRun.Skip(1).ToList() : null;
        return NewDueClaim(first.ScheduledFor, first.Action == PlannedAction.Run ? TriggerSource.Scheduler : TriggerSource.CatchUp, inputs.Now);
    }

    /// <summary>
    /// A claimed occurrence starts with no write, so it starts only inside this silo's start window (see
    /// <see cref="PlanInputs.StartsThrough"/>); a due one is not even claimed outside it. Outside, the tick ends and looks again
    /// shortly: the window moves with every check-in, and never again once the silo has been declared dead.
    /// </summary>
    private static ArmCommand? OutsideStartWindow(PlanInputs inputs, DateTimeOffset scheduledFor)
    {
        if (inputs.StartsThrough is not { } through || scheduledFor <= through)
        {
            return null;
        }
        // Never checked in (MinValue): as far behind as can be.
        var behind = through == DateTimeOffset.MinValue ? StartWindowRecheckMax : scheduledFor - through;
        return new ArmCommand(inputs.Now + (behind < StartWindowRecheck ? StartWindowRecheck : behind > StartWindowRecheckMax ? StartWindowRecheckMax : behind));
    }

    /// <summary>
    /// Wakes the job for the next occurrence after the planned ones: at its instant once it is claimed ahead (or when claiming
    /// ahead is off), else at the moment to claim it.
    /// </summary>
    private PlanCommand Arm(PlanInputs inputs)
    {
        if (!IsSchedulable)
        {
            return DisarmCommand.Instance;
        }
        if (Ahead is { } ahead)
        {
            return new ArmCommand(ahead.Claim.ScheduledFor);
        }
        if (inputs.Stopping)
        {
            // While the silo stops a tick handles nothing (due occurrences are left to the next host), so nothing moves past
            // the due occurrence: a timer armed for it would fire again at once, tick after tick, and keep the activation from
            // its deactivation (measured: the silo stop waited out its whole timeout).
            return DisarmCommand.Instance;
        }
        if (_schedule!.Next(PlannedThrough) is not { } next)
        {
            // E.g. a schedule pinned to a year that has passed: visible as invalid, never silently idle.
            _end = DisarmCommand.Instance;
            return new SetInvalidCommand($"{_schedule.Describe()} fires no more after {PlannedThrough:O}.");
        }
        // Catch-ups queued under RunAll go first and claim at their own start. Nothing is claimed ahead while scheduling is
        // paused: the instant records the occurrence skipped.
        if (settings.ClaimAhead <= TimeSpan.Zero || _catchUps.Count > 0 || inputs.Paused)
        {
            return new ArmCommand(next);
        }
        // In one of 9 slots inside the first half of the lead, at random (with 2 s: 100, 200 … 900 ms after T − 2 s). Measured
        // at 2,000 fires/s: all claims on T − 2 s landed on another group's instant (p99 162 ms); claims spread at random cost a
        // statement each (PostgreSQL at 68 % CPU); slots keep both the instants free and the batches large.
        var claimAt = next - settings.ClaimAhead + settings.ClaimAhead / 20 * random.Next(1, 10);
        if (claimAt > inputs.Now)
        {
            return new ArmCommand(claimAt);
        }
        return new ClaimCommand(NewClaim(next, TriggerSource.Scheduler, startedAt: null), ClaimKind.Ahead);
    }

    // Claimed without a start time, like a claim ahead: if the claimant never gets to start the run (its reply lost, its
    // activation gone), the row does not say it started (found by the simulation: such rows expired as abandoned runs).
    private ClaimCommand NewDueClaim(DateTimeOffset scheduledFor, TriggerSource source, DateTimeOffset now) =>
        new(NewClaim(scheduledFor, source, startedAt: null), ClaimKind.Due, RunsAt: now);

    private ExecutionClaim NewClaim(DateTimeOffset scheduledFor, TriggerSource source, DateTimeOffset? startedAt)
    {
        var key = OccurrenceKeys.Scheduled(scheduledFor);
        var claim = new ExecutionClaim
        {
            ExecutionId = _unanswered.TryGetValue(key, out var earlier) ? earlier.ExecutionId : newId(), CronJobId = _job!.Id,
            OccurrenceKey = key, ScheduledFor = scheduledFor, StartedAt = startedAt, TriggeredBy = source, RetryCount = 0,
            LeaseOwner = settings.LeaseOwner, LeaseDuration = settings.LeaseDuration, AdvancesSchedule = true, JobVersion = _job.Version,
        };
        _unanswered[key] = claim;
        return claim;
    }

    /// <summary>Unanswered claims that nothing will ask again: each is ended skipped (see <see cref="_orphans"/>).</summary>
    private void OrphanUnanswered(string reason)
    {
        foreach (var claim in _unanswered.Values)
        {
            _orphans.Enqueue((claim, reason));
        }
        _unanswered.Clear();
    }

    /// <summary>
    /// An occurrence that ends without running. If this activation's claim of it went unanswered, the row keeps that claim's id:
    /// should the claim have committed, the store ends that row as recorded instead of leaving it to expire as abandoned.
    /// </summary>
    private UnrunOccurrence Unrun(DateTimeOffset scheduledFor, ExecutionStatus status, DateTimeOffset now, string reason) => new()
    {
        ExecutionId = _unanswered.TryGetValue(OccurrenceKeys.Scheduled(scheduledFor), out var unanswered) ? unanswered.ExecutionId : newId(),
        CronJobId = _job!.Id, OccurrenceKey = OccurrenceKeys.Scheduled(scheduledFor),
        ScheduledFor = scheduledFor, Status = status, Reason = reason, RecordedAt = now, JobVersion = _job.Version,
        RecordedBy = settings.LeaseOwner,
    };

    private void RequestReload()
    {
        if (!_reloadedThisTick)
        {
            _reload = true;
        }
    }

    private void Advance(DateTimeOffset handled)
    {
        if (handled > _lastHandled)
        {
            _lastHandled = handled;
        }
    }

    public static string OverlapReason(Guid running) =>
        $"overlap: execution {running} of this job was still running when this occurrence fell due";

    public static string MissReason(MisfirePolicy policy, DateTimeOffset occurrence, DateTimeOffset now) => policy switch
    {
        MisfirePolicy.RunOnce => $"misfire (run_once): fell due {(now - occurrence).TotalSeconds:0.#} s ago while it could not run (no silo hosted the job, or the database was unreachable); only the latest missed occurrence runs",
        MisfirePolicy.Skip => $"misfire (skip): fell due {(now - occurrence).TotalSeconds:0.#} s ago while it could not run (no silo hosted the job, or the database was unreachable); policy skips missed occurrences",
        _ => $"misfire (run_all): fell due {(now - occurrence).TotalSeconds:0.#} s ago while it could not run (no silo hosted the job, or the database was unreachable); beyond the run-all cap",
    };
}

/// <summary>Occurrence identities, shared by every attempt of an occurrence.</summary>
public static class OccurrenceKeys
{
    /// <summary>A scheduled (or caught-up) occurrence: its instant in UTC.</summary>
    public static string Scheduled(DateTimeOffset scheduledFor) =>
        "s:" + scheduledFor.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The instant an 's:' key names: its own for a scheduled key, the range's last for a summary (the instant its row is
    /// recorded at). Null for the other kinds. Every attempt of an 's:' occurrence carries this instant as scheduledFor, which
    /// is what lets the partitioned history's fence include scheduledFor (docs/ledger.md, "Partitions").
    /// </summary>
    public static DateTimeOffset? ScheduledInstant(string occurrenceKey)
    {
        ArgumentNullException.ThrowIfNull(occurrenceKey);
        return occurrenceKey.StartsWith("s:", StringComparison.Ordinal) && occurrenceKey.Length >= 26
            && DateTimeOffset.TryParseExact(occurrenceKey[^24..], "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : null;
    }

    /// <summary>The one row that stands for many missed occurrences (beyond <c>MaxMissedRecorded</c>): their range.</summary>
    public static string Summary(DateTimeOffset from, DateTimeOffset to) => Scheduled(from) + ".." + Scheduled(to)[2..];

    /// <summary>A manual run: its own identity.</summary>
    public static string Manual(Guid executionId) => "m:" + executionId.ToString("N");

    /// <summary>A one-off run an operator scheduled: the one-off's identity.</summary>
    public static string OneOff(Guid oneOffId) => "o:" + oneOffId.ToString("N");

    /// <summary>
    /// A dependency run: the upstream executions that signalled it, in a fixed order, so every activation deciding on the same
    /// signals names the same occurrence.
    /// </summary>
    public static string Dependency(IEnumerable<Guid> upstreamExecutionIds) =>
        "d:" + string.Join('+', upstreamExecutionIds.Order().Select(id => id.ToString("N")));
}
