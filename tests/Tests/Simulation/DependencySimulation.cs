using System.Globalization;
using System.Text;
using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Simulation;

/// <summary>
/// Job dependencies under deterministic simulation: two upstream jobs (x, y) end occurrences with random outcomes and retries;
/// a downstream job (z, after x on a random condition and y on another) is checked by up to two activations at once (a
/// duplicate during a partition), activations die and are replaced, and the database fails calls before their commit or loses
/// their replies. The real <see cref="DependencyRuns"/> and the real in-memory store (the same fence as PostgreSQL, held to it by
/// the store contract suite) decide everything; the simulation only schedules events. Checked for every seed:
/// <list type="bullet">
/// <item>no dependency occurrence of z starts twice, and no execution starts twice;</item>
/// <item>each signal is consumed by at most one row, and a run names only signals it consumed, all ended before it started;</item>
/// <item>one upstream occurrence signals z at most once, and only by its final attempt when that meets the edge's condition;</item>
/// <item>after a quiet period, nothing is owed: z's pending signals do not satisfy the fan-in rule, and no claim is left open.</item>
/// </list>
/// </summary>
public sealed class DependencySimulation
{
    private readonly int _seed;
    private readonly Random _random;
    private readonly SimTime _time = new() { Now = new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero) };
    private readonly InMemoryJobStore _store;
    private readonly FaultyDependencyStore _faulty;
    private readonly StringBuilder _trace = new();
    private readonly List<string> _violations = [];
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    // Upstream occurrences: (job, key) → the statuses of their attempts, and which attempt was final.
    private readonly List<(string Job, string Key, Guid FinalExecution, ExecutionStatus FinalStatus, DateTimeOffset EndedAt)> _upstreamEnds = [];
    private readonly List<Activation> _activations = [];
    private readonly Dictionary<Guid, (string Key, DateTimeOffset StartedAt)> _started = [];
    private int _generation;
    private bool _faults = true;

    public DependencySimulation(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        _store = new InMemoryJobStore(_time);
        _faulty = new FaultyDependencyStore(_store, Decide);
    }

    private StoreFault Decide(string call)
    {
        if (!_faults)
        {
            return StoreFault.None;
        }
        var roll = _random.NextDouble();
        var fault = roll < 0.08 ? StoreFault.FailBeforeCommit : roll < 0.16 ? StoreFault.LostReply : StoreFault.None;
        if (fault != StoreFault.None)
        {
            Trace($"fault {fault} on {call}");
        }
        return fault;
    }

    private void Trace(string line) => _trace.Append(CultureInfo.InvariantCulture, $"{_time.Now:HH:mm:ss.fff} {line}\n");

    public LedgerReport Run()
    {
        Seed().GetAwaiter().GetResult();
        // Everything the in-memory store does completes synchronously: the world stays on this thread and a seed replays exactly.
        for (var step = 0; step < 300; step++)
        {
            _time.Now += TimeSpan.FromMilliseconds(_random.Next(10, 200));
            StepAsync().GetAwaiter().GetResult();
        }
        _faults = false;
        Trace("quiet");
        for (var step = 0; step < 40; step++)
        {
            _time.Now += TimeSpan.FromMilliseconds(100);
            foreach (var activation in _activations.ToList())
            {
                FinishRuns(activation, all: true);
                CheckAsync(activation).GetAwaiter().GetResult();
            }
            if (_activations.Count == 0)
            {
                _activations.Add(new Activation(++_generation));
            }
        }
        CheckInvariants();
        return new LedgerReport(_seed, _violations, _trace.ToString());
    }

    private async Task Seed()
    {
        string Condition() => new[] { "success", "failure", "completion" }[_random.Next(3)];
        var definitions = new[]
        {
            Definition("x", "* * * * *", [], maxRetries: _random.Next(0, 3)),
            Definition("y", "* * * * *", [], maxRetries: _random.Next(0, 2)),
            Definition("z", "", [$"x:{Condition()}", $"y:{Condition()}"], maxRetries: 0),
        };
        await _store.SyncDefinitionsAsync(definitions, _time.Now, CancellationToken.None);
        foreach (var slug in new[] { "x", "y", "z" })
        {
            _jobs[slug] = (await _store.GetJobAsync(slug, CancellationToken.None))!;
        }
        Trace($"z after {string.Join(", ", _jobs["z"].After)}; x retries {_jobs["x"].MaxRetries}, y retries {_jobs["y"].MaxRetries}");
        _activations.Add(new Activation(++_generation));
    }

    private static CronJobDefinition Definition(string slug, string schedule, string[] after, int maxRetries) => new()
    {
        Slug = slug, Name = slug, Schedule = schedule, MaxRetries = maxRetries, After = UpstreamList.Parse(slug, after),
        Factory = _ => throw new NotSupportedException("the simulation runs no job code"),
    };

    private async Task StepAsync()
    {
        var roll = _random.Next(100);
        if (roll < 25)
        {
            await EndUpstreamOccurrenceAsync(_random.Next(2) == 0 ? "x" : "y");
        }
        else if (roll < 30 && _activations.Count < 2)
        {
            _activations.Add(new Activation(++_generation));
            Trace($"activation g{_generation} of z (now {_activations.Count})");
        }
        else if (roll < 34 && _activations.Count > 0)
        {
            await KillAsync(_activations[_random.Next(_activations.Count)]);
        }
        else if (_activations.Count > 0)
        {
            var activation = _activations[_random.Next(_activations.Count)];
            FinishRuns(activation, all: false);
            await CheckAsync(activation);
        }
        else
        {
            _activations.Add(new Activation(++_generation));
        }
    }

    /// <summary>An upstream occurrence runs its attempts (failures retried while retries remain) and ends; only the last is final.</summary>
    private async Task EndUpstreamOccurrenceAsync(string slug)
    {
        var job = _jobs[slug];
        var key = "m:" + Guid.CreateVersion7().ToString("N");
        for (var retry = 0; ; retry++)
        {
            var status = new[] { ExecutionStatus.Succeeded, ExecutionStatus.Failed, ExecutionStatus.TimedOut }[_random.Next(3)];
            var claim = new ExecutionClaim
            {
                ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = key, ScheduledFor = _time.Now, StartedAt = _time.Now,
                TriggeredBy = retry == 0 ? TriggerSource.Manual : TriggerSource.Retry, RetryCount = retry, LeaseOwner = "upstream-silo",
                LeaseDuration = TimeSpan.FromMinutes(10), AdvancesSchedule = false,
            };
            await _store.TryClaimAsync(claim, CancellationToken.None);
            var final = status == ExecutionStatus.Succeeded || retry >= job.MaxRetries;
            await _store.CompleteAsync(new ExecutionCompletion
            {
                ExecutionId = claim.ExecutionId, Status = status, CompletedAt = _time.Now, Final = final,
            }, CancellationToken.None);
            Trace($"{slug} {key[..10]} attempt {retry} {status.ToText()}{(final ? " (final)" : "")}");
            if (final)
            {
                _upstreamEnds.Add((slug, key, claim.ExecutionId, status, _time.Now));
                return;
            }
        }
    }

    private async Task CheckAsync(Activation activation)
    {
        var job = (await _store.GetJobAsync("z", CancellationToken.None))!;
        try
        {
            var outcome = await activation.Runs.CheckAsync(job, _faulty, new Shell(this, activation), CancellationToken.None);
            if (outcome != DependencyCheck.Waiting)
            {
                Trace($"g{activation.Generation} check: {outcome}");
            }
        }
        catch (StoreUnavailableException ex)
        {
            Trace($"g{activation.Generation} check failed: {ex.Message}");
        }
    }

    /// <summary>Ends the activation's run in progress (some steps later, or all in the quiet period), as the grain's run loop would.</summary>
    private void FinishRuns(Activation activation, bool all)
    {
        if (activation.Running is { } run && (all || _random.Next(3) == 0))
        {
            _store.CompleteAsync(new ExecutionCompletion
            {
                ExecutionId = run, Status = ExecutionStatus.Succeeded, CompletedAt = _time.Now, Final = true,
            }, CancellationToken.None).GetAwaiter().GetResult();
            activation.Running = null;
            Trace($"g{activation.Generation} run {run.ToString()[..8]} ended");
        }
    }

    /// <summary>The activation goes: a claim it never got an answer for is ended skipped, as the grain's deactivation does.</summary>
    private async Task KillAsync(Activation activation)
    {
        _activations.Remove(activation);
        Trace($"g{activation.Generation} dies");
        if (activation.Running is { } run)
        {
            // Its silo died mid-run: the sweep records the attempt abandoned once the lease expires (here: at once).
            await _store.CompleteAsync(new ExecutionCompletion { ExecutionId = run, Status = ExecutionStatus.Abandoned, CompletedAt = _time.Now, Final = true },
                CancellationToken.None);
        }
        if (activation.Runs.TakeUnanswered() is { } claim)
        {
            await _store.CompleteAsync(new ExecutionCompletion
            {
                ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Skipped, CompletedAt = _time.Now, StatusReason = DependencyRuns.GivenUpAtDeactivation,
                HeldBy = claim.LeaseOwner,
            }, CancellationToken.None);
        }
    }

    private void CheckInvariants()
    {
        var z = _jobs["z"];
        var rows = _store.GetExecutionsAsync(z.Id, 10_000, CancellationToken.None).GetAwaiter().GetResult();
        var pending = _store.GetPendingSignalsAsync(z.Id, CancellationToken.None).GetAwaiter().GetResult();
        if (_started.Values.GroupBy(s => s.Key).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            _violations.Add($"dependency occurrence {twice.Key} started {twice.Count()} times");
        }
        foreach (var row in rows.Where(r => r.Status.IsActive()))
        {
            _violations.Add($"row {row.Id} ({row.OccurrenceKey}) left {row.Status.ToText()} after the quiet period");
        }
        foreach (var row in rows.Where(r => r.UpstreamExecutionIds is not null))
        {
            foreach (var upstream in row.UpstreamExecutionIds!)
            {
                var end = _upstreamEnds.FirstOrDefault(e => e.FinalExecution == upstream);
                if (end == default)
                {
                    _violations.Add($"{row.OccurrenceKey} names {upstream}, which was not a final upstream attempt");
                }
                else if (_started.TryGetValue(row.Id, out var started) && started.StartedAt < end.EndedAt)
                {
                    _violations.Add($"{row.OccurrenceKey} started before its upstream {end.Job} ended");
                }
                else if (!z.After.Single(u => u.Slug == end.Job).Condition.IsMetBy(end.FinalStatus))
                {
                    _violations.Add($"{row.OccurrenceKey} was signalled by {end.Job} ending {end.FinalStatus.ToText()}, which its edge does not accept");
                }
            }
        }
        var named = rows.SelectMany(r => r.UpstreamExecutionIds ?? []).ToList();
        if (named.GroupBy(id => id).FirstOrDefault(g => g.Count() > 1) is { } reused)
        {
            _violations.Add($"upstream execution {reused.Key} signalled {reused.Count()} runs");
        }
        // Every qualifying upstream end left exactly one signal (pending or consumed); a non-qualifying one none.
        foreach (var end in _upstreamEnds)
        {
            var meets = z.After.Single(u => u.Slug == end.Job).Condition.IsMetBy(end.FinalStatus);
            var left = pending.Count(p => p.UpstreamExecutionId == end.FinalExecution) + named.Count(id => id == end.FinalExecution);
            if (!meets && left > 0)
            {
                _violations.Add($"{end.Job} {end.Key[..10]} ended {end.FinalStatus.ToText()} and signalled z anyway");
            }
        }
        if (FanIn.Decide(z.After, pending).Ready)
        {
            _violations.Add($"after the quiet period every upstream has signalled z ({pending.Count} pending) and it has not run");
        }
    }

    private sealed class Activation(int generation)
    {
        public int Generation { get; } = generation;
        public DependencyRuns Runs { get; } = new();
        public Guid? Running { get; set; }
    }

    private sealed class Shell(DependencySimulation world, Activation activation) : IDependencyShell
    {
        public DateTimeOffset Now => world._time.Now;
        public Guid? RunningExecution => activation.Running;
        public string? NotRunReason => null;

        public ExecutionClaim NewDependencyClaim(string occurrenceKey, DateTimeOffset now, string? reason) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = world._jobs["z"].Id, OccurrenceKey = occurrenceKey, ScheduledFor = now, StartedAt = null,
            TriggeredBy = TriggerSource.Dependency, RetryCount = 0, LeaseOwner = $"silo-g{activation.Generation}", LeaseDuration = TimeSpan.FromMinutes(10),
            StatusReason = reason, AdvancesSchedule = false,
        };

        public Task StartRunAsync(ExecutionClaim claim)
        {
            if (!world._started.TryAdd(claim.ExecutionId, (claim.OccurrenceKey, world._time.Now)))
            {
                world._violations.Add($"execution {claim.ExecutionId} started twice");
            }
            activation.Running = claim.ExecutionId;
            world.Trace($"g{activation.Generation} starts {claim.OccurrenceKey[..12]} ({claim.ExecutionId.ToString()[..8]})");
            return Task.CompletedTask;
        }
    }
}

/// <summary>The dependency store's calls with the simulation's faults: failed before the commit, or committed with the reply lost.</summary>
internal sealed class FaultyDependencyStore(InMemoryJobStore inner, Func<string, StoreFault> decide) : IDependencyStore
{
    private Task<T> CallAsync<T>(string name, Func<Task<T>> call) => StoreFaults.CallAsync(decide, name, call);

    public Task<IReadOnlyList<PendingSignal>> GetPendingSignalsAsync(Guid jobId, CancellationToken cancellationToken) =>
        CallAsync("pending", () => inner.GetPendingSignalsAsync(jobId, cancellationToken));

    public Task<bool> ClaimDependencyRunAsync(DependencyClaim claim, CancellationToken cancellationToken) =>
        CallAsync("claim-dependency", () => inner.ClaimDependencyRunAsync(claim, cancellationToken));

    public Task SignalDownstreamAsync(Guid executionId, CancellationToken cancellationToken) =>
        CallAsync("signal", async () => { await inner.SignalDownstreamAsync(executionId, cancellationToken); return true; });

    public Task<IReadOnlyList<string>> FindReadyDownstreamsAsync(TimeSpan olderThan, CancellationToken cancellationToken) =>
        CallAsync("ready", () => inner.FindReadyDownstreamsAsync(olderThan, cancellationToken));

    public Task<IReadOnlyList<DependencyNode>> GetDependencyGraphAsync(CancellationToken cancellationToken) =>
        CallAsync("graph", () => inner.GetDependencyGraphAsync(cancellationToken));
}
