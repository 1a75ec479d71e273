using System.Globalization;
using Npgsql;

namespace Totallator.Bench.Compare;

/// <summary>
/// <c>--compare</c>: the same workload (<see cref="Contenders.Workload"/>) against Totallator, Quartz (default and tuned) and
/// Hangfire in turn, each in its own fresh database on the same PostgreSQL, one JSON line per row as soon as it is done, then
/// the table. Ctrl+C stops cleanly (nodes killed, databases dropped), as in the default role.
/// </summary>
public static class CompareDriver
{
    private const string Scope = "compare";

    public static async Task<int> RunAsync(DriverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var workload = Contenders.Workload;
        var contenders = options.Only.Count > 0 ? Contenders.All.Where(c => options.Only.Contains(c.Name, StringComparer.Ordinal)).ToList() : Contenders.All;
        var logDirectory = Path.Combine(Path.GetTempPath(), "totallator-bench", "compare-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(logDirectory);
        var results = new List<CompareResult>();
        return await BenchExit.RunAsync(Scope, "nodes", async stop =>
        {
            var machine = MachineInfo.Describe(await BenchDatabase.CheckServerAsync(options.Server, stop));
            Progress.Log(Scope, "machine: " + machine);
            Progress.Log(Scope, $"schedulers: {string.Join(", ", contenders.Select(c => c.Name))}; node logs in {logDirectory}");
            foreach (var contender in contenders)
            {
                var result = await RunOneAsync(contender, workload, options.Server, logDirectory, stop) with { Machine = machine };
                results.Add(result);
                Console.WriteLine(CompareReport.JsonLine(result));
            }
            CompareReport.PrintTable(Console.Out, machine, workload, results);
            return results.Any(r => r.Error is not null) ? 1 : 0;
        });
    }

    private static async Task<CompareResult> RunOneAsync(Contender contender, CompareWorkload workload, string server, string logDirectory, CancellationToken cancellationToken)
    {
        try
        {
            return await new CompareRun(contender, workload, server, logDirectory).RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is BenchException or NpgsqlException or TimeoutException or IOException && !cancellationToken.IsCancellationRequested)
        {
            Progress.Log(contender.Name, "failed: " + ex.Message);
            return new CompareResult
            {
                Scheduler = contender.Name, Settings = contender.Settings, Jobs = workload.Jobs, Schedule = workload.Schedule, Spread = workload.Spread,
                Nodes = workload.Nodes, Error = ex.Message,
            };
        }
    }
}
