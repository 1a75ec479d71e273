using Totallator.Tests.Faults.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Faults;

/// <summary>
/// Fault 1: kill -9 of the silo running a job, mid-run. Its run ends abandoned. Of the occurrences it had claimed ahead, those
/// past its last check-in plus the start window (it cannot have started them) are handed over when the membership declares it
/// dead and run on a survivor; only those within the window (it may have started them) wait for their leases and end abandoned.
/// </summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class KillTests(ITestOutputHelper output)
{
    /// <summary>Lease 6 s + sweep 1 s, and slack for a loaded 2-core machine.</summary>
    private static readonly TimeSpan _abandonBound = TimeSpan.FromSeconds(15);
    /// <summary>Eviction (≈1 s on loopback) + the next 10-s occurrence + slack.</summary>
    private static readonly TimeSpan _resumeBound = TimeSpan.FromSeconds(20);

    /// <summary>Several 2-s jobs, so that the victim most likely holds claims ahead of some of them when it is killed.</summary>
    private static readonly string[] _ticks = ["tick", "tick2", "tick3", "tick4"];

    /// <summary>Cron:Scheduler:StartWindow, left at its default by the fault suite.</summary>
    private static readonly TimeSpan _startWindow = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task KilledSilosRunEndsAbandoned_NextOccurrenceFiresOnASurvivor_NothingRunsTwice()
    {
        var report = new FaultReport(output, "1 kill -9");
        var configuration = FaultJobs.Base();
        FaultJobs.Add(configuration, "long", periodSeconds: 10, sleepSeconds: 7);
        foreach (var tick in _ticks)
        {
            FaultJobs.Add(configuration, tick, periodSeconds: 2);
        }
        await using var run = await LocalCluster.CreateAsync("kill", configuration);
        try
        {
            await run.UpAsync(3);
            var from = DateTimeOffset.UtcNow.AddSeconds(2);

            var running = await Ledger.WaitForAsync(run, rows => rows.FirstOrDefault(r => r.Job == "long" && r.Status == "running" && r.ScheduledFor > from),
                TimeSpan.FromSeconds(30), "long running");
            var victim = run.SiloOf(running.LeaseOwner!);
            await run.KillAsync(victim);
            var killedAt = DateTimeOffset.UtcNow;

            var abandoned = await Ledger.WaitForAsync(run, rows => rows.FirstOrDefault(r => r.Id == running.Id && r.Status == "abandoned"),
                _abandonBound, "the killed run abandoned");
            var abandonedAfter = abandoned.CompletedAt!.Value - killedAt;
            var resumed = await Ledger.WaitForAsync(run, rows => rows.FirstOrDefault(r => r.Job == "long" && r.ScheduledFor > running.ScheduledFor && r.Ran),
                _resumeBound, "the next occurrence of long on a survivor");
            Assert.NotEqual(victim, run.SiloOf(resumed.LeaseOwner!));
            var resumedAfter = resumed.StartedAt!.Value - killedAt;

            // Let a few more occurrences pass, then judge the whole window.
            await Task.Delay(TimeSpan.FromSeconds(12));
            var to = DateTimeOffset.UtcNow.AddSeconds(-8);
            var rows = await Ledger.ReadAsync(run);
            var effects = Ledger.ReadEffects(run);
            var ticks = _ticks.SelectMany(t => Ledger.AssertExactlyOnce(rows, effects, t, 2, from, to).Values).ToList();
            var longRows = Ledger.AssertExactlyOnce(rows, effects, "long", 10, from, to);
            Assert.Equal("abandoned", longRows[running.ScheduledFor].Status);
            Assert.Contains("renew", abandoned.ErrorMessage ?? abandoned.StatusReason ?? "", StringComparison.Ordinal);
            // Abandoned besides the run cut short: only claims the victim may have started (within the window of its last
            // check-in). Before the hand-over, every claim it held ahead ended so, although most never started.
            var lastCheckIn = await Ledger.LastCheckInAsync(run, running.LeaseOwner!) ?? throw new InvalidOperationException("the victim never checked in");
            var otherAbandoned = rows.Where(r => r.Status == "abandoned" && r.Id != running.Id && r.ScheduledFor >= from).ToList();
            var pastWindow = otherAbandoned.Where(r => r.ScheduledFor > lastCheckIn + _startWindow).ToList();
            Assert.True(pastWindow.Count == 0, $"abandoned although the victim (last check-in {lastCheckIn:HH:mm:ss.fff}) could not have started them:\n{string.Join('\n', pastWindow)}");
            var ranAfterKill = ticks.Count(r => r.Ran && r.ScheduledFor > killedAt && r.ScheduledFor <= killedAt + TimeSpan.FromSeconds(3));

            report.Figure($"killed {victim} mid-run; its run abandoned {abandonedAfter.TotalSeconds:0.0} s after the kill (bound {_abandonBound.TotalSeconds:0} s; lease 6 s, sweep 1 s)");
            report.Figure($"next occurrence of the job started on {run.SiloOf(resumed.LeaseOwner!)} {resumedAfter.TotalSeconds:0.0} s after the kill (bound {_resumeBound.TotalSeconds:0} s)");
            report.Figure($"window {(to - from).TotalSeconds:0} s: 4 tick jobs {Ledger.Summary(ticks)}; long {Ledger.Summary(longRows.Values)}; duplicates 0, lost 0");
            report.Figure($"victim's last check-in {(killedAt - lastCheckIn).TotalSeconds:0.00} s before the kill; abandoned besides the run cut short: {otherAbandoned.Count}, all within the start window; tick occurrences of the 3 s after the kill that ran: {ranAfterKill} of {ticks.Count(r => r.ScheduledFor > killedAt && r.ScheduledFor <= killedAt + TimeSpan.FromSeconds(3))}");
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new InvalidOperationException(ex.Message + "\n" + run.Diagnostics(), ex);
        }
    }
}
