using System.Globalization;
using Npgsql;

namespace Totallator.Bench;

/// <summary>
/// The default role: checks the server, measures the 0-job baseline, runs each selected configuration in turn and prints its
/// JSON line as soon as it is done, then the table. Ctrl+C / SIGTERM stop the run cleanly (silos killed, databases dropped);
/// at exit every silo still alive is killed, and silos kill themselves if the driver disappears.
/// </summary>
public static class Driver
{
    private const string Scope = "bench";

    public static async Task<int> RunAsync(DriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configurations = Configurations.Select(options);
        var logDirectory = Path.Combine(Path.GetTempPath(), "totallator-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(logDirectory);
        var results = new List<ConfigurationResult>();
        return await BenchExit.RunAsync(Scope, "silos", async stop =>
        {
            var version = await BenchDatabase.CheckServerAsync(options.Server, stop);
            var machine = MachineInfo.Describe(version);
            Progress.Log(Scope, "machine: " + machine);
            Progress.Log(Scope, $"configurations: {string.Join(", ", configurations.Select(c => c.Name))}{(options.Quick ? " (quick windows)" : "")}; silo logs in {logDirectory}");
            await WarnAboutLeftoversAsync(options.Server, stop);

            var baseline = await Baseline.MeasureRssKbAsync(options.Server, configurations[0].Heartbeat, logDirectory, stop);
            foreach (var configuration in configurations)
            {
                var result = await RunOneAsync(configuration, options.Server, baseline, logDirectory, stop) with { Machine = machine };
                results.Add(result);
                Console.WriteLine(Report.JsonLine(result));
            }
            Report.PrintTable(Console.Out, machine, results);
            return results.Any(r => r.Error is not null) ? 1 : 0;
        });
    }

    private static async Task<ConfigurationResult> RunOneAsync(BenchConfiguration configuration, string server, double? baseline, string logDirectory,
        CancellationToken cancellationToken)
    {
        try
        {
            return await new ConfigurationRun(configuration, server, baseline, logDirectory).RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is BenchException or NpgsqlException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
        {
            Progress.Log(configuration.Name, "failed: " + ex.Message);
            return new ConfigurationResult
            {
                Configuration = configuration.Name, Jobs = configuration.Jobs, Schedule = configuration.Schedule, Spread = configuration.Spread, Silos = configuration.Silos,
                HeartbeatS = configuration.Heartbeat.TotalSeconds, Error = ex.Message,
            };
        }
    }
    private static async Task WarnAboutLeftoversAsync(string server, CancellationToken cancellationToken)
    {
        var leftovers = await BenchDatabase.FindLeftoversAsync(server, cancellationToken);
        if (leftovers.Count > 0)
        {
            Progress.Log(Scope, $"note: {leftovers.Count} bench_* database(s) left by an earlier run that could not clean up, e.g. {leftovers[0]}; " +
                "drop them with DROP DATABASE <name> WITH (FORCE) when no other bench run is going");
        }
    }
}
