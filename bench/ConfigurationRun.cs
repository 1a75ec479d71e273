using System.Diagnostics;
using System.Globalization;
using Totallator.Bench.Measurements;
using Totallator.Grains.Hosting;

namespace Totallator.Bench;

/// <summary>
/// One configuration, phase by phase: database, silos and registration, warm-up, the measured window (with the kill for
/// failover), settling, then the figures from the database. Silos are killed and the database dropped whatever happens.
/// </summary>
public sealed class ConfigurationRun(BenchConfiguration config, string server, double? baselineRssKb, string logDirectory)
{
    /// <summary>After the window, how long occurrences of it get to be recorded before the ledger is read.</summary>
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(3);
    /// <summary>At most this much longer while rows of the window are still running.</summary>
    private static readonly TimeSpan _settleMore = TimeSpan.FromSeconds(12);

    private string Scope => config.Name;

    public async Task<ConfigurationResult> RunAsync(CancellationToken cancellationToken)
    {
        if (config.FirstFireAfter is { } after)
        {
            config = config with { Schedule = JobSchedules.HourlyAt(DateTimeOffset.UtcNow + after) };
        }
        var watch = Stopwatch.StartNew();
        var result = new ConfigurationResult
        {
            Configuration = config.Name, Jobs = config.Jobs, Schedule = config.Schedule, Spread = config.Spread, Silos = config.Silos, HeartbeatS = config.Heartbeat.TotalSeconds,
        };
        BenchDatabase database;
        using (var phase = Progress.Phase(Scope, "create database and apply schema"))
        {
            database = await BenchDatabase.CreateAsync(server, cancellationToken);
            phase.Done(database.Name);
        }
        try
        {
            await using var cluster = SiloCluster.Start(config.Silos, config.Jobs, config.Schedule, config.Spread, config.Heartbeat,
                database.ConnectionString, logDirectory, config.Settings);
            result = await MeasureAsync(result, database, cluster, cancellationToken);
        }
        finally
        {
            using var phase = Progress.Phase(Scope, "drop database");
            await database.DisposeAsync();
            phase.Done();
        }
        return result with { DurationS = Math.Round(watch.Elapsed.TotalSeconds, 1) };
    }

    private async Task<ConfigurationResult> MeasureAsync(ConfigurationResult result, BenchDatabase database, SiloCluster cluster, CancellationToken cancellationToken)
    {
        var db = database.DataSource;
        var registration = await RegisterAsync(database, cluster, cancellationToken);

        IdleFigures? idle = null;
        // The idle sample ends before the claims ahead of the window's first instant (ClaimAhead, 2 s by default) begin.
        var idleGap = config.IdleGap ?? new SchedulerOptions().ClaimAhead + TimeSpan.FromSeconds(0.5);
        var notBefore = DateTimeOffset.UtcNow + config.WarmUp + (config.IdleSample is { } idleLength ? idleLength + idleGap + TimeSpan.FromSeconds(1) : TimeSpan.Zero);
        var window = MeasurementWindow.Create(config.Schedule, config.Spread, notBefore, config.Window);
        if (config.IdleSample is { } sample)
        {
            idle = await MeasureIdleAsync(cluster, window.From - sample - idleGap, sample, !registration.Complete, cancellationToken);
        }
        using (var phase = Progress.Phase(Scope, string.Create(CultureInfo.InvariantCulture, $"warm-up until the window starts at {window.From:HH:mm:ss}")))
        {
            await DelayUntilAsync(window.From, cancellationToken);
            phase.Done();
        }

        ResourceFigures resources;
        PostgresActivityFigures postgresActivity;
        SiloProcess? killed = null;
        DateTimeOffset killedAt = default;
        using (var phase = Progress.Phase(Scope, string.Create(CultureInfo.InvariantCulture,
                   $"measured window {window.Seconds:0} s, {window.Instants.Count} occurrence instant(s) x {config.Jobs} jobs")))
        {
            using var meter = ResourceMeter.Start(cluster.Silos);
            await using var activity = PostgresActivitySampler.Start(db);
            if (config.KillAfter is { } killAfter)
            {
                await DelayUntilAsync(window.From + killAfter, cancellationToken);
                killed = cluster.Silos[^1];
                meter.CaptureEnd(killed);
                killed.Kill();
                killedAt = DateTimeOffset.UtcNow;
                Progress.Log(Scope, string.Create(CultureInfo.InvariantCulture, $"killed {killed.Label} (pid {killed.Pid}) with SIGKILL at {killedAt:HH:mm:ss.fff}"));
            }
            await DelayUntilAsync(window.To, cancellationToken);
            resources = meter.Stop(config.Jobs, baselineRssKb) with { Idle = idle };
            postgresActivity = await activity.StopAsync();
            phase.Done(string.Create(CultureInfo.InvariantCulture,
                $"CPU silos {resources.SilosCpuPercent:0} %, PostgreSQL {resources.Postgres?.CpuPercent:0} % of one core; PostgreSQL backends {postgresActivity.Summary()}"));
        }
        await SettleAsync(database, window, killed, cancellationToken);

        using (var phase = Progress.Phase(Scope, "read figures"))
        {
            var occurrences = await OccurrenceLedger.MeasureAsync(db, window, null, cancellationToken);
            result = result with
            {
                WindowStart = window.From, WindowS = window.Seconds, Instants = window.Instants.Count,
                Registration = await RegistrationProbe.WithFirstFireAsync(db, registration, config.Jobs, cluster.StartedAt, window.From, cancellationToken),
                Occurrences = occurrences,
                Lateness = await LatenessQuery.MeasureAsync(db, window, cancellationToken),
                Throughput = await ThroughputQuery.MeasureAsync(db, window, occurrences, cancellationToken),
                Resources = resources,
                PostgresActivity = postgresActivity,
                Failover = killed is null ? null : await FailoverProbe.MeasureAsync(db, window, killed, killedAt, config.Heartbeat, cancellationToken),
            };
            phase.Done();
        }
        using (var phase = Progress.Phase(Scope, "admin read (list all jobs with statistics)"))
        {
            result = result with { AdminRead = await AdminReadProbe.MeasureAsync(db, cancellationToken) };
            phase.Done(string.Create(CultureInfo.InvariantCulture, $"{result.AdminRead.TotalMs:0.0} ms for {result.AdminRead.Jobs} jobs"));
        }
        return result;
    }

    private async Task<RegistrationFigures> RegisterAsync(BenchDatabase database, SiloCluster cluster, CancellationToken cancellationToken)
    {
        using var phase = Progress.Phase(Scope, string.Create(CultureInfo.InvariantCulture,
            $"start {config.Silos} silo(s) and register {config.Jobs} jobs (until every job has its heartbeat reminder)"));
        // Silos were started a moment ago: their CPU since then is nearly all of registration's.
        using var meter = ResourceMeter.Start(cluster.Silos);
        await using var activity = PostgresActivitySampler.Start(database.DataSource);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var registering = RegistrationProbe.WaitAsync(database.DataSource, config.Jobs, cluster.StartedAt, config.RegistrationTimeout, Scope, linked.Token);
        try
        {
            await cluster.WaitReadyAsync(cancellationToken);
        }
        catch
        {
            await linked.CancelAsync();
            await registering.ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }
        var readyS = Math.Round((cluster.Silos.Max(s => s.ReadyAt!.Value) - cluster.StartedAt).TotalSeconds, 2);
        Progress.Log(Scope, string.Create(CultureInfo.InvariantCulture, $"silo(s) ready after {readyS:0.0} s"));
        var figures = await registering;
        var cpu = meter.Stop(0, null);
        figures = figures with
        {
            SilosReadyS = readyS, SilosCpuPercent = cpu.SilosCpuPercent, PostgresCpuPercent = cpu.Postgres?.CpuPercent,
            PostgresActivity = await activity.StopAsync(),
        };
        phase.Done(string.Create(CultureInfo.InvariantCulture,
            $"jobs stored after {figures.JobsStoredS?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} s, reminders after {figures.RemindersS?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} s " +
            $"({figures.RemindersPerS:0}/s; CPU silos {figures.SilosCpuPercent:0} %, PostgreSQL {figures.PostgresCpuPercent:0} % of one core)"));
        return figures;
    }

    private async Task<IdleFigures> MeasureIdleAsync(SiloCluster cluster, DateTimeOffset from, TimeSpan length, bool whileRegistering,
        CancellationToken cancellationToken)
    {
        using var phase = Progress.Phase(Scope, string.Create(CultureInfo.InvariantCulture, $"idle CPU sample {length.TotalSeconds:0} s from {from:HH:mm:ss} (nothing due)"));
        await DelayUntilAsync(from, cancellationToken);
        using var meter = ResourceMeter.Start(cluster.Silos);
        await DelayUntilAsync(from + length, cancellationToken);
        var figures = meter.Stop(config.Jobs, baselineRssKb);
        var idle = new IdleFigures(length.TotalSeconds, figures.SilosCpuPercent, figures.Postgres?.CpuPercent ?? 0, whileRegistering, figures.MemoryPerJobKb);
        phase.Done(string.Create(CultureInfo.InvariantCulture, $"silos {idle.SilosCpuPercent:0.0} %, PostgreSQL {idle.PostgresCpuPercent:0.0} % of one core, {idle.MemoryPerJobKb:0.00} KB/job{(whileRegistering ? " (NOT idle: registration was still going on)" : "")}"));
        return idle;
    }

    /// <summary>
    /// Gives the window's last occurrences time to be recorded: a fixed settle, then while rows of the window still run. Rows of a
    /// killed silo are not waited for: they stay running until their lease expires (they are counted as such).
    /// </summary>
    private async Task SettleAsync(BenchDatabase database, MeasurementWindow window, SiloProcess? killed, CancellationToken cancellationToken)
    {
        using var phase = Progress.Phase(Scope, "settle (let the window's runs finish and be recorded)");
        await DelayUntilAsync(window.To + _settle, cancellationToken);
        var deadline = DateTimeOffset.UtcNow + _settleMore;
        long running;
        do
        {
            await using var command = database.DataSource.CreateCommand(
                "SELECT count(*) FROM cronJobExecution WHERE status IN ('running', 'claimed') AND scheduledFor < @to AND leaseOwner NOT LIKE @killed");
            command.Parameters.AddWithValue("to", window.To.ToUniversalTime());
            command.Parameters.AddWithValue("killed", killed is null ? "" : string.Create(CultureInfo.InvariantCulture, $"%:{killed.Port}:%"));
            running = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (running == 0 || DateTimeOffset.UtcNow >= deadline)
            {
                break;
            }
            await Task.Delay(500, cancellationToken);
        }
        while (true);
        phase.Done(running == 0 ? "nothing of the window still running" : string.Create(CultureInfo.InvariantCulture, $"{running} row(s) of the window still running"));
    }

    private static async Task DelayUntilAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        var wait = at - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
