using System.Text;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Simulation;

/// <summary>
/// A cluster of simulated silos hosting one job, under a virtual clock, from a seed: the real <see cref="JobPlanner"/> and
/// <see cref="PlanExecutor"/> against the real <see cref="InMemoryJobStore"/>, with faults injected at every step (store calls
/// that fail before their commit or lose their reply, silo deaths, deactivations, duplicate activations, admin changes, pauses,
/// skewed clocks). Everything runs on one thread in event order, so a seed replays exactly. See <see cref="LedgerInvariants"/>.
/// </summary>
public sealed partial class LedgerSimulation
{
    internal const string Slug = "sim";
    private static readonly DateTimeOffset Epoch = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly string[] Schedules = ["* * * * * *", "*/2 * * * * *", "*/3 * * * * *", "*/5 * * * * *"];

    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(6);
    public static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan StoreRetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MisfireThreshold = TimeSpan.FromSeconds(1);
    public const int MaxMissedRecorded = 4;
    /// <summary>The heartbeat reminder's period (5 minutes in production; shorter here so that it matters within a seed).</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);
    /// <summary>The longest run of the simulated job (one in ten runs takes 3 s or more).</summary>
    public static readonly TimeSpan LongestRun = TimeSpan.FromSeconds(9);
    /// <summary>How often a silo checks in, and how far past its last accepted check-in it may start an occurrence (as in production).</summary>
    public static readonly TimeSpan CheckInEvery = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan StartWindow = TimeSpan.FromSeconds(1);

    private readonly Random _random;
    private readonly SimTime _time = new();
    private readonly PriorityQueue<Action, (long Ticks, long Seq)> _events = new();
    private readonly StringBuilder _trace = new();
    private readonly List<Silo> _silos = [];
    private readonly List<Activation> _activations = [];
    private long _seq;
    private int _ids;
    private bool _outage;
    private bool _paused;
    private bool _faultsOn = true;

    public LedgerSimulation(int seed, SimulationSettings settings)
    {
        Seed = seed;
        Settings = settings;
        _random = new Random(seed);
        Store = new FaultyStore(new InMemoryJobStore(_time), DecideFault);
        ClaimAhead = _random.Next(3) == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(2);
        Policy = (MisfirePolicy)_random.Next(3);
        RunAllCap = _random.Next(1, 4);
        for (var i = 0; i < 3; i++)
        {
            var skew = _random.Next(2) == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_random.Next(-settings.MaxSkewMs, settings.MaxSkewMs + 1));
            _silos.Add(new Silo($"silo{i + 1}", skew));
        }
        MaxRetries = _random.Next(3);
    }

    public int Seed { get; }
    public SimulationSettings Settings { get; }
    public FaultyStore Store { get; }
    public TimeSpan ClaimAhead { get; }
    public MisfirePolicy Policy { get; }
    public int RunAllCap { get; }
    /// <summary>The job's retries of a failed attempt (0 to 2); one run in five fails.</summary>
    public int MaxRetries { get; }
    public DateTimeOffset Now => _time.Now;
    public string Trace => _trace.ToString();

    /// <summary>Every run the simulated job code really started: execution id → what became of it.</summary>
    public Dictionary<Guid, SimRun> Runs { get; } = [];

    /// <summary>Occurrences whose row was started a second time under the same execution id.</summary>
    public List<string> StartedTwice { get; } = [];

    /// <summary>Every manual trigger answered "started" with its idempotency key (null without one) and the execution it named.</summary>
    public List<(string? Key, Guid ExecutionId)> TriggerAnswers { get; } = [];

    /// <summary>Where the current schedule's planning began (job created, rescheduled or re-enabled), and that schedule.</summary>
    public DateTimeOffset SegmentStart { get; private set; }

    public CronSchedule Schedule { get; private set; } = null!;
    public bool Enabled { get; private set; } = true;
    public bool PausedAtEnd => _paused;
    public Guid JobId { get; private set; }

    /// <summary>Runs the world: faults for <see cref="SimulationSettings.FaultWindow"/>, then a quiet period in which it must settle.</summary>
    public LedgerReport Run()
    {
        _time.Now = Epoch.AddMilliseconds(_random.Next(1000));
        var schedule = Schedules[_random.Next(Schedules.Length)];
        Store.Inner.SyncDefinitionsAsync([new CronJobDefinition
        {
            Slug = Slug, Name = "Simulated", Schedule = schedule, MisfirePolicy = Policy, MisfireRunAllCap = RunAllCap, MaxRetries = MaxRetries,
            Factory = _ => throw new InvalidOperationException("the simulation runs no job code"),
        }], Now, CancellationToken.None).GetAwaiter().GetResult();
        var job = Store.Inner.GetJobAsync(Slug, CancellationToken.None).GetAwaiter().GetResult()!;
        JobId = job.Id;
        ViewVersion = job.Version;
        SegmentStart = job.LastScheduledFor!.Value;
        Schedule = Parse(job);
        Log($"start: schedule '{schedule}', policy {Policy} (cap {RunAllCap}), retries {MaxRetries}, claim ahead {ClaimAhead.TotalSeconds} s, skews {string.Join(", ", _silos.Select(s => $"{s.Name} {s.Skew.TotalMilliseconds:+0;-0;0} ms"))}");

        foreach (var silo in _silos)
        {
            At(Now + RenewEvery, () => Renew(silo));
            At(Now + SweepEvery, () => Sweep(silo));
            CheckIn(silo);
        }
        At(Now + Heartbeat, Beat);
        Activate(_silos[0], "cluster start");
        var faultsEnd = Now + Settings.FaultWindow;
        ScheduleFault(faultsEnd);
        At(faultsEnd, EndFaults);
        var end = faultsEnd + Settings.QuietPeriod;
        var violations = new List<string>();
        while (_events.TryDequeue(out var action, out var when))
        {
            if (when.Ticks > end.UtcTicks)
            {
                break;
            }
            _time.Now = new DateTimeOffset(when.Ticks, TimeSpan.Zero);
            action();
            if (LedgerInvariants.CheckAlways(this) is { } broken)
            {
                violations.Add($"at {Now:HH:mm:ss.fff}: {broken}");
                break;
            }
        }
        if (violations.Count == 0)
        {
            violations.AddRange(LedgerInvariants.CheckAtEnd(this));
        }
        return new LedgerReport(Seed, violations, Trace);
    }

    internal IReadOnlyList<ExecutionRecord> Rows() =>
        Store.Inner.GetExecutionsAsync(JobId, int.MaxValue, CancellationToken.None).GetAwaiter().GetResult();

    internal JobRecord Job() => Store.Inner.GetJobAsync(Slug, CancellationToken.None).GetAwaiter().GetResult()!;

    private static CronSchedule Parse(JobRecord job)
    {
        CronSchedule.TryParse(job.Schedule, job.TimeZone, DateTimeOffset.UtcNow, new ScheduleVariables([], _ => null), ScheduleOrigin.Definition,
            out var schedule, out var error);
        return schedule ?? throw new InvalidOperationException(error);
    }

    private void At(DateTimeOffset when, Action action) => _events.Enqueue(action, (Math.Max(when.UtcTicks, Now.UtcTicks), _seq++));

    private void Log(string line) => _trace.Append(Now.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').AppendLine(line);

    private StoreFault DecideFault(string call)
    {
        if (_outage)
        {
            Log($"  store {call}: outage");
            return StoreFault.FailBeforeCommit;
        }
        if (!_faultsOn)
        {
            return StoreFault.None;
        }
        var roll = _random.NextDouble();
        var fault = roll < Settings.FailBeforeCommit ? StoreFault.FailBeforeCommit
            : roll < Settings.FailBeforeCommit + Settings.LostReply ? StoreFault.LostReply : StoreFault.None;
        if (fault != StoreFault.None)
        {
            Log($"  store {call}: {fault}");
        }
        return fault;
    }

    private Guid NewId() => new(++_ids, 0, 0, [0, 0, 0, 0, 0, 0, 0, (byte)Seed]);

    private TimeSpan Ms(int min, int max) => TimeSpan.FromMilliseconds(_random.Next(min, max));

    private void EndFaults()
    {
        Log("faults end: the database answers, every silo is up, the job is enabled and not paused");
        _faultsOn = false;
        _outage = false;
        foreach (var zombie in _silos.Where(s => s.Alive && s.Evicted).ToList())
        {
            Log($"{zombie.Owner} learns it was declared dead");
            Kill(zombie);
        }
        foreach (var silo in _silos.Where(s => !s.Alive))
        {
            silo.Restart();
        }
        // A quiet world still has at most one activation: Orleans resolves duplicates.
        foreach (var extra in _activations.Where(a => a.Live).Skip(1).ToList())
        {
            Deactivate(extra, "duplicate resolved");
        }
        if (_paused)
        {
            _paused = false;
        }
        if (!Enabled)
        {
            Admin("enable", new JobUpdate { IsEnabled = true, ChangedBy = "sim", ResetLastScheduledFor = Now, AuditAction = "job.enable" });
        }
        EnsureActivation("quiet period");
    }

    private void ScheduleFault(DateTimeOffset faultsEnd)
    {
        var next = Now + Ms(200, Settings.MeanFaultGapMs * 2);
        if (next >= faultsEnd)
        {
            return;
        }
        At(next, () =>
        {
            InjectFault();
            ScheduleFault(faultsEnd);
        });
    }

    private void InjectFault()
    {
        var live = _activations.Where(a => a.Live).ToList();
        switch (_random.Next(10))
        {
            case 0:
                var silo = _silos[_random.Next(_silos.Count)];
                if (silo.Alive && _silos.Count(s => s.Alive) > 1)
                {
                    Kill(silo);
                }
                break;
            case 1 when live.Count > 0:
                Deactivate(live[_random.Next(live.Count)], "deactivated (idle, rebalanced or its directory entry lost)");
                break;
            case 2 when Settings.DuplicateActivations && _silos.Any(s => s.Usable):
                // A second activation of the same job (a partition, or a directory race).
                Activate(_silos.Where(s => s.Usable).ElementAt(_random.Next(_silos.Count(s => s.Usable))), "duplicate activation");
                break;
            case 3 when Settings.AdminChanges:
                Admin(Enabled ? "disable" : "enable", Enabled
                    ? new JobUpdate { IsEnabled = false, ChangedBy = "sim", ResetLastScheduledFor = Now, AuditAction = "job.disable" }
                    : new JobUpdate { IsEnabled = true, ChangedBy = "sim", ResetLastScheduledFor = Now, AuditAction = "job.enable" });
                break;
            case 4 when Settings.AdminChanges:
                Admin("reschedule", new JobUpdate { Schedule = Schedules[_random.Next(Schedules.Length)], ChangedBy = "sim", ResetLastScheduledFor = Now });
                break;
            case 5 when Settings.AdminChanges:
                _paused = !_paused;
                Log(_paused ? "pause" : "resume");
                break;
            case 7 when live.Count > 0 && _silos.Count(s => s.Usable) > 1 && live[^1].Silo.Usable:
                Evict(live[^1].Silo);
                break;
            case 8 when Settings.Triggers:
            case 9 when Settings.Triggers && _random.Next(2) == 0:
                Trigger(new TriggerRequest
                {
                    UserId = $"u{_random.Next(2)}", IdempotencyKey = _random.Next(2) == 0 ? null : $"k{_random.Next(3)}", OverrideRunning = _random.Next(4) == 0,
                }, attempt: 1);
                break;
            case 6 when !_outage:
                _outage = true;
                var length = Ms(300, Settings.MaxOutageMs);
                Log($"database outage for {length.TotalMilliseconds} ms");
                At(Now + length, () =>
                {
                    _outage = false;
                    Log("database back");
                });
                break;
            default:
                EnsureActivation("heartbeat");
                break;
        }
    }

    private void Kill(Silo silo)
    {
        Log($"kill {silo.Name}");
        silo.Alive = false;
        foreach (var a in _activations.Where(a => a.Silo == silo && a.Live))
        {
            a.Live = false;
        }
        // A run whose code ended but whose end is not written yet dies unrecorded too: abandoned is all the ledger can say.
        foreach (var run in Runs.Values.Where(r => r.Silo == silo && (r.Outcome is null || r.Writing)))
        {
            run.Outcome = RunOutcome.Killed;
            run.Writing = false;
        }
        var owner = silo.Owner;
        At(Now + Ms(1000, 4000), () =>
        {
            if (_faultsOn && !silo.Alive)
            {
                silo.Restart();
                Log($"{silo.Name} back as {silo.Owner}");
            }
        });
        // The membership declares it dead: a survivor fences it and hands over its claims past its last check-in plus the start
        // window; the job's next activation comes with the dead silo's take-over or the heartbeat.
        At(Now + Ms(500, 3000), () =>
        {
            Fence(owner);
            TakeOver("take-over");
        });
    }

    /// <summary>
    /// The membership declares a live silo dead (cut off from its peers, not from the database): a survivor fences it and the
    /// job is activated elsewhere, while the silo's own activation goes on until the silo learns it is dead and stops.
    /// </summary>
    private void Evict(Silo silo)
    {
        Log($"evict {silo.Owner}: declared dead while it still runs");
        silo.Evicted = true;
        Fence(silo.Owner);
        var others = _silos.Where(s => s.Usable && s != silo).ToList();
        Activate(others[_random.Next(others.Count)], "take-over after an eviction");
        At(Now + Ms(300, 4000), () =>
        {
            if (silo.Alive)
            {
                Log($"{silo.Owner} learns it was declared dead");
                Kill(silo);
            }
        });
    }

    /// <summary>
    /// A manual trigger through the job's activation (the API's grain call activates one if there is none). A caller with an
    /// idempotency key retries a failed request (503) with the same key, as the API asks; one without a key does not.
    /// </summary>
    private void Trigger(TriggerRequest request, int attempt)
    {
        EnsureActivation("manual trigger");
        if (_activations.LastOrDefault(a => a.Live && a.Silo.Usable) is not { } activation)
        {
            return;
        }
        var what = $"trigger by {request.UserId}{(request.IdempotencyKey is { } k ? $" with key {k}" : "")}{(request.OverrideRunning ? " (override)" : "")}";
        TriggerResult result;
        try
        {
            result = activation.Triggers.TriggerAsync(Slug, Job(), request, Store, activation, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Grains.Interfaces.Admin.StoreUnavailableException e)
        {
            Log($"{what} on #{activation.Number}: 503 ({e.Message})");
            if (request.IdempotencyKey is not null && attempt < 5)
            {
                At(Now + Ms(200, 3000), () => Trigger(request, attempt + 1));
            }
            return;
        }
        Log($"{what} on #{activation.Number}: {(result.Started ? $"{(result.Replayed ? "replayed" : "started")} {result.ExecutionId}" : $"refused: {result.RefusalReason}")}");
        if (result.Started)
        {
            TriggerAnswers.Add((request.IdempotencyKey is { } key ? $"{request.UserId}/{key}" : null, result.ExecutionId!.Value));
        }
    }

    /// <summary>As DeadSiloJobRecovery: one attempt by a survivor; if the store fails, the dead silo's leases decide.</summary>
    private void Fence(string owner)
    {
        try
        {
            var fence = Store.FenceDeadSiloAsync(owner, StartWindow, "handed over: its silo was declared dead", CancellationToken.None).GetAwaiter().GetResult()!;
            Log($"fenced {owner} (last check-in {fence.LastCheckIn:HH:mm:ss.fff}): handed over {fence.HandedOver} claim(s)");
        }
        catch (Grains.Interfaces.Admin.StoreUnavailableException)
        {
            Log($"fence of {owner} failed: its claims wait for their leases");
        }
    }

    /// <summary>The waker reaches the job's activation (reading the job again, taking over handed-over claims), or makes one.</summary>
    private void TakeOver(string why)
    {
        // The directory points at an activation on a silo still in the membership, never at an evicted one.
        if (_activations.LastOrDefault(a => a.Live && a.Silo.Usable) is { } activation)
        {
            activation.Heartbeat();
            return;
        }
        EnsureActivation(why);
    }

    private void CheckIn(Silo silo)
    {
        if (silo.Alive)
        {
            var owner = silo.Owner;
            try
            {
                if (Store.CheckInAsync(owner, CancellationToken.None).GetAwaiter().GetResult() is { } accepted)
                {
                    silo.Accepted(owner, accepted);
                }
            }
            catch (Grains.Interfaces.Admin.StoreUnavailableException)
            {
                // The window stays where the last accepted check-in put it.
            }
        }
        At(Now + CheckInEvery, () => CheckIn(silo));
    }

    private void EnsureActivation(string why)
    {
        if (!_activations.Any(a => a.Live && a.Silo.Usable) && _silos.Any(s => s.Usable))
        {
            var alive = _silos.Where(s => s.Usable).ToList();
            Activate(alive[_random.Next(alive.Count)], why);
        }
    }

    private void Activate(Silo silo, string why)
    {
        var activation = new Activation(this, silo, _activations.Count + 1);
        _activations.Add(activation);
        Log($"activate #{activation.Number} on {silo.Name} ({why})");
        activation.Load();
    }

    private void Deactivate(Activation activation, string why)
    {
        Log($"deactivate #{activation.Number}: {why}");
        activation.Live = false;
        if (activation.Planner.ReleaseAhead($"deactivating: {why}") is { } release)
        {
            PlanExecutor.ReleaseAsync(activation.Planner, Store, activation, release, CancellationToken.None).GetAwaiter().GetResult();
        }
        // As the grain: ends, once and best effort, its claims whose answer never came, keyed triggers included.
        foreach (var trigger in activation.Triggers.TakeUnanswered())
        {
            activation.Planner.GiveUp(trigger, ManualTriggers.GivenUpAtDeactivation);
        }
        foreach (var end in activation.Planner.EndUnanswered($"not run: its activation ended ({why})", activation.Now))
        {
            try
            {
                activation.EndUnrunAsync(end).GetAwaiter().GetResult();
            }
            catch (Grains.Interfaces.Admin.StoreUnavailableException)
            {
                Log($"#{activation.Number} could not end unanswered claim {end.Claim.OccurrenceKey}");
            }
        }
    }

    /// <summary>An admin change through the job's activation (the API's grain call activates one if there is none).</summary>
    private void Admin(string what, JobUpdate update)
    {
        EnsureActivation($"admin {what}");
        var activation = _activations.LastOrDefault(a => a.Live);
        if (activation is null)
        {
            return;
        }
        // As the grain: "now" for a reset is the clock of the silo that applies the change.
        if (update.ResetLastScheduledFor is not null)
        {
            update = update with { ResetLastScheduledFor = activation.Now };
        }
        JobRecord job;
        try
        {
            job = Store.UpdateJobAsync(Slug, update, activation.Now, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is Grains.Interfaces.Admin.StoreUnavailableException)
        {
            // Answered 503; whether it committed or not, the next read shows it. The test's view follows the store.
            // The grain does not know whether it committed: it reads the job again before it plans anything more.
            Log($"admin {what}: {e.Message}");
            SyncView();
            activation.ReloadBeforeNextTick();
            return;
        }
        Log($"admin {what} on #{activation.Number}");
        SyncView();
        activation.Changed(job, update.ResetLastScheduledFor);
    }

    /// <summary>The invariants' view of the schedule follows what the store holds.</summary>
    private void SyncView()
    {
        var job = Job();
        if (job.Version == ViewVersion)
        {
            return;
        }
        ViewVersion = job.Version;
        Enabled = job.IsEnabled;
        Schedule = Parse(job);
        SegmentStart = job.LastScheduledFor!.Value;
    }

    /// <summary>The job version the invariants' view of the schedule was taken from.</summary>
    internal int ViewVersion { get; private set; }

    /// <summary>What the per-event check last looked at (it looks again only when the ledger moved).</summary>
    internal (DateTimeOffset? LastScheduledFor, int Rows, int Version)? LastChecked { get; set; }

    /// <summary>The job's durable reminder: the directory routes it to one live activation, which reads the job and plans.</summary>
    private void Beat()
    {
        if (_activations.LastOrDefault(a => a.Live && a.Silo.Usable) is { } activation)
        {
            activation.Heartbeat();
        }
        At(Now + Heartbeat, Beat);
    }

    private void Renew(Silo silo)
    {
        if (silo.Alive)
        {
            var ids = Runs.Values.Where(r => r.Silo == silo && r.Outcome is null).Select(r => r.ExecutionId).ToList();
            if (ids.Count > 0)
            {
                try
                {
                    Store.RenewLeasesAsync(ids, Lease, CancellationToken.None).GetAwaiter().GetResult();
                }
                catch (Grains.Interfaces.Admin.StoreUnavailableException)
                {
                    // Tried again at the next period, as the lease maintenance does.
                }
            }
        }
        At(Now + RenewEvery, () => Renew(silo));
    }

    private void Sweep(Silo silo)
    {
        if (silo.Alive)
        {
            try
            {
                if (Store.AbandonExpiredAsync(CancellationToken.None).GetAwaiter().GetResult() is > 0 and var n)
                {
                    Log($"{silo.Name} swept {n} expired lease(s)");
                }
            }
            catch (Grains.Interfaces.Admin.StoreUnavailableException)
            {
                // Next period.
            }
        }
        At(Now + SweepEvery, () => Sweep(silo));
    }

    /// <summary>One silo: its clock's skew, whether it is up, its generation and its last accepted check-in.</summary>
    private sealed class Silo(string name, TimeSpan skew)
    {
        private int _generation = 1;
        private DateTimeOffset? _accepted;

        public string Name { get; } = name;
        public TimeSpan Skew { get; } = skew;
        public bool Alive { get; set; } = true;
        /// <summary>Declared dead while still up: it goes on until it learns so, but the membership places nothing on it.</summary>
        public bool Evicted { get; set; }
        public bool Usable => Alive && !Evicted;
        public string Owner => $"{Name}.{_generation}";

        /// <summary>The latest instant it may start (<see cref="PlanInputs.StartsThrough"/>).</summary>
        public DateTimeOffset StartsThrough => _accepted is { } at ? at + StartWindow : DateTimeOffset.MinValue;

        public void Accepted(string owner, DateTimeOffset at)
        {
            if (owner == Owner && (_accepted is null || at > _accepted))
            {
                _accepted = at;
            }
        }

        /// <summary>Back from a death: a new generation, which has not checked in yet.</summary>
        public void Restart()
        {
            Alive = true;
            Evicted = false;
            _generation++;
            _accepted = null;
        }
    }
}

/// <summary>A fixed clock the simulation moves; the in-memory store judges leases by it (standing in for the database clock).</summary>
internal sealed class SimTime : TimeProvider
{
    public DateTimeOffset Now { get; set; }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>What happened to a run the job code really started.</summary>
public enum RunOutcome
{
    Succeeded,
    Failed,
    /// <summary>Its silo died while it ran.</summary>
    Killed,
}

/// <summary>One run the simulated job code started, on which silo, and how it ended.</summary>
public sealed class SimRun(Guid executionId, string occurrenceKey, object silo, int retryCount)
{
    public Guid ExecutionId { get; } = executionId;
    public string OccurrenceKey { get; } = occurrenceKey;
    public int RetryCount { get; } = retryCount;
    internal object Silo { get; } = silo;
    public RunOutcome? Outcome { get; set; }

    /// <summary>How the job code itself ended (null while it runs, or if its silo died first).</summary>
    public RunOutcome? Code { get; set; }
    /// <summary>The code ended; its end is being written (retried through an outage).</summary>
    public bool Writing { get; set; }
}

/// <summary>How hard the simulation pushes.</summary>
public sealed record SimulationSettings
{
    public TimeSpan FaultWindow { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan QuietPeriod { get; init; } = TimeSpan.FromSeconds(20);
    public double FailBeforeCommit { get; init; } = 0.05;
    public double LostReply { get; init; } = 0.05;
    public int MeanFaultGapMs { get; init; } = 1500;
    public int MaxSkewMs { get; init; } = 2000;
    /// <summary>The longest database outage (outages can follow each other). <c>TOTALLATOR_SIM_OUTAGE_MS</c> changes it.</summary>
    public int MaxOutageMs { get; init; } =
        int.TryParse(Environment.GetEnvironmentVariable("TOTALLATOR_SIM_OUTAGE_MS"), System.Globalization.CultureInfo.InvariantCulture, out var ms) ? ms : 3000;

    /// <summary>Disable, enable, reschedule and pause. <c>TOTALLATOR_SIM_ADMIN=0</c> leaves them out.</summary>
    public bool AdminChanges { get; init; } = Environment.GetEnvironmentVariable("TOTALLATOR_SIM_ADMIN") != "0";
    /// <summary>A second activation of the job beside the first (a partition, a directory race). <c>TOTALLATOR_SIM_DUPLICATES=0</c> leaves them out.</summary>
    public bool DuplicateActivations { get; init; } = Environment.GetEnvironmentVariable("TOTALLATOR_SIM_DUPLICATES") != "0";
    /// <summary>Manual triggers, with and without idempotency keys, some overriding a run in progress. <c>TOTALLATOR_SIM_TRIGGERS=0</c> leaves them out.</summary>
    public bool Triggers { get; init; } = Environment.GetEnvironmentVariable("TOTALLATOR_SIM_TRIGGERS") != "0";
}

/// <summary>One seed's verdict: the broken invariants (none when it passed) and the trace that replays it.</summary>
public sealed record LedgerReport(int Seed, IReadOnlyList<string> Violations, string Trace)
{
    public bool Passed => Violations.Count == 0;
}
