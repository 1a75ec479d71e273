using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Totallator.Bench.Measurements;

namespace Totallator.Bench.Compare;

/// <summary>
/// One row of --compare, phase by phase as the Totallator configurations run: fresh database with the scheduler's schema and
/// <c>benchFire</c>, S nodes, registration polled from the database, warm-up, the measured window with kill -9 of the last node,
/// settling, then the figures from <c>benchFire</c>. Nodes are killed and the database dropped whatever happens.
/// </summary>
public sealed class CompareRun(Contender contender, CompareWorkload workload, string server, string logDirectory)
{
    /// <summary>After the window: time for the last instants' fires (Hangfire's come up to ~1-2 s late) to run and be flushed.</summary>
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan _poll = TimeSpan.FromMilliseconds(200);

    private string Scope => contender.Name;

    public async Task<CompareResult> RunAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var result = new CompareResult
        {
            Scheduler = contender.Name, Settings = contender.Settings, Jobs = workload.Jobs, Schedule = workload.Schedule, Spread = workload.Spread, Nodes = workload.Nodes,
        };
        BenchDatabase database;
        using (var phase = Progress.Phase(Scope, "create database and apply schema"))
        {
            database = await BenchDatabase.CreateAsync(server, (cs, token) => CompareSchemas.ApplyAsync(contender.Kind, cs, token), cancellationToken);
            phase.Done(database.Name);
        }
        try
        {
            await using var nodes = CompareNodes.Start(contender, workload, database.ConnectionString, logDirectory);
            result = await MeasureAsync(result, database.DataSource, nodes, cancellationToken);
        }
        finally
        {
            using var phase = Progress.Phase(Scope, "drop database");
            await database.DisposeAsync();
            phase.Done();
        }
        return result with { DurationS = Math.Round(watch.Elapsed.TotalSeconds, 1) };
    }

    private async Task<CompareResult> MeasureAsync(CompareResult result, NpgsqlDataSource db, CompareNodes nodes, CancellationToken cancellationToken)
    {
        double? registrationS;
        long registered;
        double readyS;
        using (var phase = Progress.Phase(Scope, string.Create(CultureInfo.InvariantCulture, $"start {workload.Nodes} node(s) and register {workload.Jobs} jobs")))
        {
            var registering = WaitRegisteredAsync(db, nodes.StartedAt, cancellationToken);
            await nodes.WaitReadyAsync(cancellationToken);
            readyS = Math.Round((nodes.Nodes.Max(n => n.ReadyAt!.Value) - nodes.StartedAt).TotalSeconds, 2);
            (registrationS, registered) = await registering;
            phase.Done(string.Create(CultureInfo.InvariantCulture,
                $"nodes ready after {readyS:0.0} s; {registered}/{workload.Jobs} jobs registered after {registrationS?.ToString("0.0", CultureInfo.InvariantCulture) ?? "-"} s"));
        }

        var window = MeasurementWindow.Create(workload.Schedule, workload.Spread, DateTimeOffset.UtcNow + workload.WarmUp, workload.Window);
        using (var phase = Progress.Phase(Scope, string.Create(CultureInfo.InvariantCulture, $"warm-up until the window starts at {window.From:HH:mm:ss}")))
        {
            await DelayUntilAsync(window.From, cancellationToken);
            phase.Done();
        }

        ResourceFigures resources;
        SiloProcess killed;
        DateTimeOffset killedAt;
        double? loadStart, loadEnd;
        using (var phase = Progress.Phase(Scope, string.Create(CultureInfo.InvariantCulture,
                   $"measured window {window.Seconds:0} s, kill -9 of one node {workload.KillAfter.TotalSeconds:0.0} s in")))
        {
            using var meter = ResourceMeter.Start(nodes.Nodes);
            loadStart = LoadAverage.Read();
            await DelayUntilAsync(window.From + workload.KillAfter, cancellationToken);
            killed = nodes.Nodes[^1];
            meter.CaptureEnd(killed);
            killed.Kill();
            killedAt = DateTimeOffset.UtcNow;
            Progress.Log(Scope, string.Create(CultureInfo.InvariantCulture, $"killed {killed.Label} (pid {killed.Pid}) with SIGKILL at {killedAt:HH:mm:ss.fff}"));
            await DelayUntilAsync(window.To, cancellationToken);
            resources = meter.Stop(0, null);
            loadEnd = LoadAverage.Read();
            phase.Done(string.Create(CultureInfo.InvariantCulture,
                $"CPU nodes {resources.SilosCpuPercent:0} %, PostgreSQL {resources.Postgres?.CpuPercent:0} % of one core; load average {loadStart} at the start, {loadEnd} at the end"));
        }
        using (var phase = Progress.Phase(Scope, "settle"))
        {
            await DelayUntilAsync(window.To + _settle, cancellationToken);
            phase.Done();
        }
        using (var phase = Progress.Phase(Scope, "read figures"))
        {
            var fires = await FireLedger.MeasureAsync(db, workload, window, killedAt, cancellationToken);
            result = result with
            {
                WindowStart = window.From, WindowS = window.Seconds, RegistrationS = registrationS, RegisteredJobs = registered, NodesReadyS = readyS,
                LoadAtWindowStart = loadStart, LoadAtWindowEnd = loadEnd,
                Fires = fires, Kill = await FireLedger.MeasureKillAsync(db, workload, window, killed, killedAt, cancellationToken), Resources = resources,
            };
            phase.Done(string.Create(CultureInfo.InvariantCulture,
                $"{fires.ExactlyOnce}/{fires.Expected} exactly once, {fires.TwiceOrMore} twice or more, {fires.Never} never; lateness p50 {fires.LatenessP50Ms} ms, p99 {fires.LatenessP99Ms} ms"));
        }
        return result;
    }

    /// <summary>Polls the scheduler's own tables until all N jobs are registered, or the timeout (then the time is null).</summary>
    private async Task<(double? Seconds, long Registered)> WaitRegisteredAsync(NpgsqlDataSource db, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var sql = CompareSchemas.RegisteredCountSql(contender.Kind);
        long count = 0;
        while (DateTimeOffset.UtcNow - startedAt < workload.RegistrationTimeout)
        {
            await using (var command = db.CreateCommand(sql))
            {
                count = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
            }
            if (count >= workload.Jobs)
            {
                return (Math.Round((DateTimeOffset.UtcNow - startedAt).TotalSeconds, 2), count);
            }
            await Task.Delay(_poll, cancellationToken);
        }
        Progress.Log(Scope, string.Create(CultureInfo.InvariantCulture, $"registration NOT complete after {workload.RegistrationTimeout.TotalSeconds:0} s: {count}/{workload.Jobs}; measuring anyway"));
        return (null, count);
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
