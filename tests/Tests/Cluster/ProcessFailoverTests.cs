using Xunit.Abstractions;
using Npgsql;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// Two real silo processes on an empty database, configured by environment variables only, running command jobs declared in
/// configuration. One is killed with SIGKILL mid-run.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class ProcessFailoverTests(ITestOutputHelper output)
{
    private static Dictionary<string, string> Environment(string connectionString, string scratch) => new()
    {
        ["ConnectionStrings__Postgres"] = connectionString,
        ["Orleans__ClusterId"] = "proc-" + Guid.NewGuid().ToString("N")[..8],
        ["Cron__Examples__Enabled"] = "false",
        ["Cron__BuiltIn__HistoryCleanup__Enabled"] = "false",
        // Far longer than the recovery asserted below: the jobs of the killed silo must come back because the survivor
        // wakes them when the membership declares it dead, not because a heartbeat reminder happened to tick.
        ["Cron__Scheduler__HeartbeatPeriod"] = "00:01:00",
        ["Cron__Scheduler__LeaseDuration"] = "00:00:04",
        ["Cron__Scheduler__LeaseRenewInterval"] = "00:00:01",
        ["Cron__Scheduler__SweepInterval"] = "00:00:01",
        ["Cron__Scheduler__MisfireThreshold"] = "00:00:02",
        // A long run to be caught mid-flight by the kill.
        ["Cron__Jobs__victim__Schedule"] = "*/3 * * * * *",
        ["Cron__Jobs__victim__Command"] = "/bin/sleep",
        ["Cron__Jobs__victim__Arguments__0"] = "30",
        ["Cron__Jobs__victim__TimeoutMs"] = "120000",
        // Quick jobs that show the survivors keep firing, and what a command job records.
        ["Cron__Jobs__ticker__Schedule"] = "* * * * * *",
        ["Cron__Jobs__ticker__Command"] = "/bin/sh",
        ["Cron__Jobs__ticker__Arguments__0"] = "-c",
        ["Cron__Jobs__ticker__Arguments__1"] = "echo tick",
        ["Cron__Jobs__failer__Schedule"] = "*/2 * * * * *",
        ["Cron__Jobs__failer__Command"] = "/bin/sh",
        ["Cron__Jobs__failer__Arguments__0"] = "-c",
        ["Cron__Jobs__failer__Arguments__1"] = "echo broken >&2; exit 3",
        // Hangs with a child of its own: at the 1.5 s timeout the whole tree must die.
        ["Cron__Jobs__hanger__Schedule"] = "*/4 * * * * *",
        ["Cron__Jobs__hanger__Command"] = "/bin/sh",
        ["Cron__Jobs__hanger__Arguments__0"] = "-c",
        ["Cron__Jobs__hanger__Arguments__1"] = $"sleep 300 & echo $! > {scratch}/child-$$.pid; wait",
        ["Cron__Jobs__hanger__TimeoutMs"] = "1500",
    };

    [Fact]
    public async Task KilledSilosRunEndsAbandoned_AndItsJobsFireOnTheSurvivor()
    {
        var cs = await PostgresServer.CreateDatabaseAsync("proc");   // empty: the silos create the schema themselves
        var scratch = Directory.CreateTempSubdirectory("totallator-proc-").FullName;
        var env = Environment(cs, scratch);
        var ports = FreePorts.Many(4);
        using var a = SiloProcess.Start(ports[0], ports[2], env);
        using var b = SiloProcess.Start(ports[1], ports[3], env);
        using var dataSource = NpgsqlDataSource.Create(cs);
        var store = new PostgresJobStore(dataSource);
        try
        {
            await Task.WhenAll(a.WaitStartedAsync(TimeSpan.FromSeconds(60)), b.WaitStartedAsync(TimeSpan.FromSeconds(60)));

            var running = await WaitForAsync(store, "victim", rows => rows.FirstOrDefault(r => r.Status == ExecutionStatus.Running), TimeSpan.FromSeconds(30), "victim running");
            var owner = running.LeaseOwner!;
            var (victimSilo, survivor) = owner.Contains($":{a.SiloPort}:", StringComparison.Ordinal) ? (a, b) : (b, a);
            Assert.Contains($":{victimSilo.SiloPort}:", owner, StringComparison.Ordinal);

            victimSilo.Kill();
            var killedAt = DateTimeOffset.UtcNow;

            // The run whose silo died ends abandoned, judged by the database clock once its 4-second lease lapses.
            var abandoned = await WaitForAsync(store, "victim",
                rows => rows.FirstOrDefault(r => r.Id == running.Id && r.Status == ExecutionStatus.Abandoned), TimeSpan.FromSeconds(15), "abandoned");
            Assert.Contains("stopped renewing", abandoned.ErrorMessage, StringComparison.Ordinal);
            var detected = DateTimeOffset.UtcNow - killedAt;
            Assert.True(detected < TimeSpan.FromSeconds(10), $"abandoned only after {detected.TotalSeconds:0.0} s (lease 4 s, sweep 1 s)");

            // Its jobs fire again on the survivor.
            var survivorTag = $":{survivor.SiloPort}:";
            var moved = await WaitForAsync(store, "victim", rows => rows.FirstOrDefault(r => r.ScheduledFor > killedAt && r.StartedAt is not null && r.LeaseOwner?.Contains(survivorTag, StringComparison.Ordinal) == true),
                TimeSpan.FromSeconds(30), "victim rescheduled on the survivor");
            var resumed = moved.StartedAt!.Value - killedAt;
            output.WriteLine($"kill -9 → running row abandoned after {detected.TotalSeconds:0.0} s; victim's next run on the survivor started " +
                $"{resumed.TotalSeconds:0.0} s after the kill (lease 4 s, sweep 1 s, heartbeat 60 s)");
            Assert.True(resumed < TimeSpan.FromSeconds(15), $"the victim resumed {resumed.TotalSeconds:0.0} s after the kill; with a 60 s heartbeat only the dead-silo wake explains < 15 s");
            var ticks = await WaitForAsync(store, "ticker", rows =>
                rows.Count(r => r.ScheduledFor > killedAt.AddSeconds(8) && r.Status == ExecutionStatus.Succeeded) >= 3 ? rows : null, TimeSpan.FromSeconds(30), "ticker after the kill");

            // Every occurrence of the ticker has exactly one row, and none is left running.
            var scheduled = ticks.Where(r => r.TriggeredBy is TriggerSource.Scheduler or TriggerSource.CatchUp || r.Status == ExecutionStatus.Missed)
                .Select(r => r.ScheduledFor).Order().ToList();
            Assert.Equal(scheduled.Count, scheduled.Distinct().Count());
            Assert.All(scheduled.Zip(scheduled.Skip(1)), p => Assert.Equal(TimeSpan.FromSeconds(1), p.Second - p.First));
            Assert.DoesNotContain(ticks, r => r.Status.IsActive() && r.ScheduledFor < DateTimeOffset.UtcNow.AddSeconds(-10));
            var tick = ticks.First(r => r.Status == ExecutionStatus.Succeeded);
            Assert.Equal(0, tick.ExitCode);
            Assert.Contains("tick", tick.Output, StringComparison.Ordinal);

            // A command that exits non-zero is a failure with its exit code and output.
            var failed = await WaitForAsync(store, "failer", rows => rows.FirstOrDefault(r => r.Status == ExecutionStatus.Failed), TimeSpan.FromSeconds(10), "failer");
            Assert.Equal(3, failed.ExitCode);
            Assert.Contains("broken", failed.Output, StringComparison.Ordinal);
            Assert.Contains("exited with code 3", failed.ErrorMessage, StringComparison.Ordinal);
            Assert.False(survivor.HasExited, "the survivor must keep running:\n" + survivor.Log);

            // A command that outlives its timeout is recorded timed_out, and its whole process tree is gone.
            var hung = await WaitForAsync(store, "hanger", rows => rows.FirstOrDefault(r => r.Status == ExecutionStatus.TimedOut), TimeSpan.FromSeconds(15), "hanger");
            Assert.InRange(hung.DurationMs!.Value, 1400, 8000);
            var pids = Directory.GetFiles(scratch, "child-*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.NotEmpty(pids);
            // Runs in flight at the snapshot reach their 1.5 s timeout by now.
            await Task.Delay(2500);
            // Children of runs on the killed silo may live on (nobody was left to kill them); every other one must be dead.
            var hangerRows = await WaitForAsync(store, "hanger", rows => rows, TimeSpan.FromSeconds(1), "hanger rows");
            var victimTag = $":{victimSilo.SiloPort}:";
            var runsOnKilledSilo = hangerRows.Count(r => r.LeaseOwner?.Contains(victimTag, StringComparison.Ordinal) == true);
            var alive = pids.Where(IsAlive).ToList();
            Assert.Contains(pids, pid => !IsAlive(pid));
            Assert.True(alive.Count <= runsOnKilledSilo,
                $"{alive.Count} command children still alive ({string.Join(", ", alive)}), but only {runsOnKilledSilo} ran on the killed silo");
        }
        catch (Exception ex)
        {
            throw SiloProcess.FailureWithLogs(ex, a, b);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            await PostgresServer.DropDatabaseAsync(cs);
            foreach (var file in Directory.GetFiles(scratch, "child-*.pid"))
            {
                // Leftovers of the killed silo's runs.
                if (int.TryParse(File.ReadAllText(file).Trim(), out var pid) && IsAlive(pid))
                {
                    try
                    {
                        System.Diagnostics.Process.GetProcessById(pid).Kill();
                    }
                    catch (ArgumentException)
                    {
                    }
                }
            }
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Alive = /proc entry exists and is not a zombie (an orphan nobody reaped is dead for our purpose).</summary>
    private static bool IsAlive(int pid)
    {
        var status = $"/proc/{pid}/status";
        return File.Exists(status) && !File.ReadLines(status).Any(l => l.StartsWith("State:", StringComparison.Ordinal) && l.Contains('Z', StringComparison.Ordinal));
    }


    private static async Task<T> WaitForAsync<T>(PostgresJobStore store, string slug, Func<IReadOnlyList<ExecutionRecord>, T?> probe, TimeSpan timeout, string phase)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        IReadOnlyList<ExecutionRecord> rows = [];
        while (DateTime.UtcNow < deadline)
        {
            var job = await store.GetJobAsync(slug, CancellationToken.None);
            if (job is not null)
            {
                rows = (await store.GetExecutionsAsync(job.Id, 10_000, CancellationToken.None)).OrderBy(r => r.ScheduledFor).ToList();
                if (probe(rows) is { } found)
                {
                    return found;
                }
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{phase}: {slug} did not get there within {timeout}. Rows: " +
            string.Join("; ", rows.TakeLast(20).Select(r => $"{r.ScheduledFor:HH:mm:ss} {r.Status.ToText()} {r.LeaseOwner} {r.ErrorMessage}")));
    }
}
