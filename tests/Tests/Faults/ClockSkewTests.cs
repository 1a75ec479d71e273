using System.Diagnostics;
using System.Globalization;
using Totallator.Tests.Faults.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Faults;

/// <summary>
/// Fault 6: silos whose wall clocks disagree (libfaketime): one ahead, one behind, one right. Leases are judged by the database
/// clock, so no sweeper may abandon a live run however wrong its own clock is; the occurrence claim keeps every occurrence to
/// one run whichever silo fires it; and each silo schedules by its clock corrected to the database's, so every run starts on
/// time by the real clock and its recorded start says so.
/// </summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class ClockSkewTests(ITestOutputHelper output)
{
    private const int TickPeriod = 2;
    private const int LongPeriod = 10;
    /// <summary>Longer than the 6-s lease (renewed every 2 s): a sweeper 5 s ahead that judged by its own clock would abandon it.</summary>
    private const double LongSleep = 8;
    private static readonly string[] _ticks = ["tick1", "tick2", "tick3", "tick4"];
    private static readonly string[] _longs = ["long1", "long2", "long3"];

    /// <summary>Silo → its libfaketime offset (null: the right clock) and that offset in seconds.</summary>
    private static readonly (string Silo, string? Faketime, double Skew)[] _silos =
        [("silo1", "+5s", 5), ("silo2", "-4s", -4), ("silo3", null, 0)];

    /// <summary>How far a job's own `date` may stray from its silo's offset (the two `date` calls are a few ms apart; slack for load).</summary>
    private const double SkewTolerance = 1.0;

    /// <summary>
    /// A run fires by its host's clock corrected to the database's: its real start (the job's own `date` with the fake time
    /// removed) lies within this of the instant, and so does its recorded start. Before the correction a silo 5 s fast fired
    /// 5 s early and recorded lateness 0.
    /// </summary>
    private const double FiringBound = 0.5;

    /// <summary>How long the cluster runs before the window is judged (the window ends a long run's length before the end).</summary>
    private static readonly TimeSpan _observe = TimeSpan.FromSeconds(50);

    [Fact]
    public async Task SkewedSilos_NoDuplicateNoLostOccurrence_NoLiveRunAbandoned()
    {
        var report = new FaultReport(output, "6 clock skew");
        var configuration = FaultJobs.Base();
        foreach (var tick in _ticks)
        {
            AddClockJob(configuration, tick, TickPeriod, 0);
        }
        foreach (var job in _longs)
        {
            AddClockJob(configuration, job, LongPeriod, LongSleep);
        }
        await using var run = await LocalCluster.CreateAsync("skew", configuration);
        try
        {
            // Placement: the first silo up wakes every job, and they all activate there (the only member then). So the right
            // clock starts first, the skewed two join, and a restart of the first hands its jobs over: random placement spreads
            // them over the skewed silos, which own the runs, while the right clock's silo only sweeps.
            var setup = Stopwatch.StartNew();
            await run.StartAsync("silo3");
            var firstUp = setup.Elapsed;
            await Task.WhenAll(_silos.Where(s => s.Faketime is not null).Select(s =>
                run.StartAsync(s.Silo, new Dictionary<string, string> { ["TOTALLATOR_SILO_FAKETIME"] = s.Faketime! })));
            var skewedUp = setup.Elapsed;
            // SIGKILL, not a graceful stop: a kill is evicted in ≈ 1 s on loopback and its jobs woken on the others at once, the
            // shortest way to place them on the skewed silos. Its run in flight ends abandoned, before the window.
            await run.KillAsync("silo3");
            // From then on its jobs are woken elsewhere.
            await run.WaitForDeadAsync(run.SiloPort(3), DateTimeOffset.UtcNow, TimeSpan.FromSeconds(30));
            // silo3 comes back while the window runs: a joining silo is no fault, and it sweeps from then on.
            var rejoin = run.StartAsync("silo3");
            // The window opens once the hand-over has settled: a long period and the largest skew after it (margins from the
            // time each silo fired by its own clock, kept so the case judges steady state whatever the correction does).
            var from = DateTimeOffset.UtcNow.AddSeconds(LongPeriod + 3 + _silos.Max(s => s.Skew));
            var setupTime = setup.Elapsed;
            await Task.Delay(_observe);
            await rejoin;
            // Every run in the window has ended: the longest lasts 8 s and the silo 4 s behind starts it 4 s late.
            var to = DateTimeOffset.UtcNow - TimeSpan.FromSeconds(LongSleep + 5);

            var rows = await Ledger.ReadAsync(run);
            var clocks = ReadClocks(run);
            // AssertExactlyOnce compares effects with rows inside the window only: a run after it may have started (the silo 5 s
            // ahead starts 5 s early) while its row still says claimed, because a start is recorded a moment later.
            var effects = Ledger.ReadEffects(run);
            var window = new List<RunRow>();
            foreach (var tick in _ticks)
            {
                window.AddRange(Ledger.AssertExactlyOnce(rows, effects, tick, TickPeriod, from, to).Values);
            }
            var longRows = new List<RunRow>();
            foreach (var job in _longs)
            {
                longRows.AddRange(Ledger.AssertExactlyOnce(rows, effects, job, LongPeriod, from, to).Values);
            }
            window.AddRange(longRows);

            // Nothing abandoned since the placement restart, even after the window: every silo lived and renewed its leases.
            var abandoned = rows.Where(r => r.Status == "abandoned" && r.ScheduledFor >= from).ToList();
            Assert.True(abandoned.Count == 0, $"{abandoned.Count} run(s) abandoned although every silo lived:\n{string.Join('\n', abandoned)}");
            var notSucceeded = window.Where(r => r.Status != "succeeded").ToList();
            Assert.True(notSucceeded.Count == 0, $"every occurrence of the window should have run and succeeded:\n{string.Join('\n', notSucceeded)}\n" +
                string.Join('\n', rows.Where(r => notSucceeded.Any(n => n.Job == r.Job && Math.Abs((n.ScheduledFor - r.ScheduledFor).TotalSeconds) <= 20))
                    .Select(r => $"{r.Id} {r} {run.SiloOf(r.LeaseOwner ?? "x:11110:0")} started {r.StartedAt:HH:mm:ss.fff} completed {r.CompletedAt:HH:mm:ss.fff} " +
                        (clocks.TryGetValue(r.Id, out var c) ? $"own {DateTimeOffset.FromUnixTimeMilliseconds((long)(c.Skewed * 1000)):HH:mm:ss.fff} real {DateTimeOffset.FromUnixTimeMilliseconds((long)(c.Real * 1000)):HH:mm:ss.fff}" : "no effect"))));

            // The skew is real: each job's own `date` (under its silo's libfaketime) against the real clock, per silo.
            var perSilo = new List<string>();
            foreach (var (silo, faketime, skew) in _silos)
            {
                var ran = window.Where(r => run.SiloOf(r.LeaseOwner!) == silo).Select(r => (Row: r, Clock: clocks[r.Id])).ToList();
                var longs = ran.Count(r => _longs.Contains(r.Row.Job));
                if (ran.Count == 0)
                {
                    perSilo.Add($"{silo} ({faketime ?? "no skew"}): no runs in the window (placement put no job there)");
                    continue;
                }
                var measuredSkews = ran.Select(r => r.Clock.Skewed - r.Clock.Real).ToList();
                Assert.True(measuredSkews.All(m => Math.Abs(m - skew) <= SkewTolerance),
                    $"{silo} should run with its clock {skew:+0;-0;0} s off, measured {string.Join(", ", measuredSkews.Select(m => m.ToString("0.00", CultureInfo.InvariantCulture)))}");
                // Real lateness (by the real clock) and recorded lateness (startedAt is written by the silo, by its own clock).
                var real = ran.Select(r => r.Clock.Real - r.Row.ScheduledFor.ToUnixTimeMilliseconds() / 1000.0).Order().ToList();
                var recorded = ran.Select(r => (r.Row.StartedAt!.Value - r.Row.ScheduledFor).TotalSeconds).Order().ToList();
                // By the corrected clock: on time by the real clock whatever the host's skew, and recorded as it happened.
                Assert.True(real.All(l => Math.Abs(l) <= FiringBound),
                    $"{silo} ({skew:+0;-0;0} s): runs should start within ±{FiringBound} s of the instant by the real clock; real lateness {string.Join(", ", real.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)))}");
                var misrecorded = ran.Where(r => Math.Abs((r.Row.StartedAt!.Value.ToUnixTimeMilliseconds() / 1000.0) - r.Clock.Real) > FiringBound).ToList();
                Assert.True(misrecorded.Count == 0, $"{silo}: recorded starts should agree with the real clock within {FiringBound} s: " +
                    string.Join(", ", misrecorded.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Row.Job} {r.Row.ScheduledFor:HH:mm:ss} recorded {r.Row.StartedAt:HH:mm:ss.fff} real {DateTimeOffset.FromUnixTimeMilliseconds((long)(r.Clock.Real * 1000)):HH:mm:ss.fff}"))));
                perSilo.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{silo} ({faketime ?? "no skew"}): {ran.Count} runs ({longs} long), measured clock offset {measuredSkews.Average():+0.00;-0.00} s; " +
                    $"real lateness (start − instant, real clock) median {Median(real):+0.00;-0.00} s, min {real[0]:+0.00;-0.00}, max {real[^1]:+0.00;-0.00}; " +
                    $"recorded lateness (startedAt, corrected clock) median {Median(recorded):+0.00;-0.00} s"));
            }
            // At least one skewed silo must have run something, or the check of the skew proved nothing (both do unless placement put
            // all seven jobs on one: 1 in 64). The sweepers of all three judged every lease, whichever silo owned the run.
            var skewedRuns = window.Count(r => run.SiloOf(r.LeaseOwner!) is "silo1" or "silo2");
            Assert.True(skewedRuns > 0, "no run in the window was hosted by a skewed silo; the case proved nothing:\n" + string.Join('\n', perSilo));
            var skewedLongs = longRows.Count(r => run.SiloOf(r.LeaseOwner!) is "silo1" or "silo2");

            report.Figure(string.Create(CultureInfo.InvariantCulture,
                $"silo1 +5 s, silo2 −4 s, silo3 right; lease 6 s renewed every 2 s, sweep every 1 s on every silo; long runs {LongSleep:0} s; setup {setupTime.TotalSeconds:0} s (silo3 up {firstUp.TotalSeconds:0} s, skewed up {(skewedUp - firstUp).TotalSeconds:0} s, silo3 killed and evicted {(setupTime - skewedUp).TotalSeconds:0} s)"));
            foreach (var line in perSilo)
            {
                report.Figure(line);
            }
            report.Figure(string.Create(CultureInfo.InvariantCulture,
                $"window {(to - from).TotalSeconds:0} s: {window.Count} occurrences of {_ticks.Length + _longs.Length} jobs, {Ledger.Summary(window)}; " +
                $"{longRows.Count} long runs ({skewedLongs} on skewed silos) all succeeded; duplicates 0, lost 0, abandoned 0 " +
                $"(bound: 0; every start within ±{FiringBound} s of the instant by the real clock, recorded likewise)"));
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + run.Diagnostics(), ex);
        }
    }

    /// <summary>
    /// <see cref="FaultJobs.Add"/>'s job, whose effects line also carries the job's own clock (`date`, which runs under its silo's
    /// libfaketime: the job passes LD_PRELOAD and the FAKETIME settings through, as a host's skewed clock would reach it) and the
    /// real clock (the same `date` with the preload removed). Ledger reads the first four fields; <see cref="ReadClocks"/> the last two.
    /// </summary>
    private static void AddClockJob(Dictionary<string, string> configuration, string slug, int periodSeconds, double sleepSeconds)
    {
        FaultJobs.Add(configuration, slug, periodSeconds, sleepSeconds);
        configuration[$"Cron__Jobs__{slug}__Arguments__1"] = string.Create(CultureInfo.InvariantCulture,
            $"echo \"$TOTALLATOR_JOB $TOTALLATOR_OCCURRENCE_KEY $TOTALLATOR_RETRY_COUNT $TOTALLATOR_EXECUTION_ID $(date +%s.%N) $(env -u LD_PRELOAD date +%s.%N)\" >> \"${FaultJobs.EffectsVariable}\"; sleep {sleepSeconds}");
        string[] faketime = ["LD_PRELOAD", "FAKETIME", "FAKETIME_DONT_FAKE_MONOTONIC", "FAKETIME_FORCE_MONOTONIC_FIX"];
        for (var i = 0; i < faketime.Length; i++)
        {
            configuration[$"Cron__Jobs__{slug}__PassEnvironment__{i + 1}"] = faketime[i];
        }
    }

    private static Dictionary<Guid, (double Skewed, double Real)> ReadClocks(LocalCluster run)
    {
        var clocks = new Dictionary<Guid, (double, double)>();
        foreach (var p in File.ReadAllLines(run.EffectsFile).Where(l => l.Length > 0).Select(l => l.Split(' ')))
        {
            // A second start of one execution is Ledger's to report; the first one's clocks are kept.
            clocks.TryAdd(Guid.Parse(p[3]), (double.Parse(p[4], CultureInfo.InvariantCulture), double.Parse(p[5], CultureInfo.InvariantCulture)));
        }
        return clocks;
    }

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];
}
