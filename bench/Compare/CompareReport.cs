using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totallator.Bench.Compare;

/// <summary>--compare's output: one JSON line per row, then one table for people.</summary>
public static class CompareReport
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    public static string JsonLine(CompareResult result) => JsonSerializer.Serialize(result, _json);

    public static void PrintTable(TextWriter output, MachineInfo machine, CompareWorkload workload, IReadOnlyList<CompareResult> results)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(results);
        output.WriteLine();
        output.WriteLine("Totallator Cron, Quartz.NET and Hangfire side by side on " + machine);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Workload: {workload.Jobs} jobs \"{workload.Schedule}\" spread over {workload.Spread} s ({workload.Jobs / workload.Spread} fires due every second), " +
            $"{workload.Nodes} nodes each, window {workload.Window.TotalSeconds:0} s, kill -9 of one node {workload.KillAfter.TotalSeconds:0.0} s into it."));
        output.WriteLine();
        string[] header =
        [
            "scheduler", "reg s", "lateness p50 / p99 / max ms (due before kill)", "p99 / max ms (window)", "fires/s (exp.)", "exactly once",
            "twice+", "never (before / after kill)", "off-instant", "CPU % nodes / PG", "RSS MB per node", "load 1m", "after kill: victim's jobs again p50 / max s, never",
        ];
        var rows = results.Select(r => r.Error is not null
            ? [r.Scheduler, "error: " + r.Error]
            : new[]
            {
                r.Scheduler, F(r.RegistrationS),
                $"{F(r.Fires?.LatenessP50Ms, 0)} / {F(r.Fires?.LatenessP99Ms, 0)} / {F(r.Fires?.LatenessMaxMs, 0)}",
                $"{F(r.Fires?.WindowLatenessP99Ms, 0)} / {F(r.Fires?.WindowLatenessMaxMs, 0)}",
                $"{F(r.Fires?.FiresPerS, 0)} ({F(r.Fires?.ExpectedFiresPerS, 0)})",
                $"{N(r.Fires?.ExactlyOnce)}/{N(r.Fires?.Expected)}", N(r.Fires?.TwiceOrMore),
                $"{N(r.Fires?.Never)} ({N(r.Fires?.NeverBeforeKill)} / {N(r.Fires?.NeverAfterKill)})", N(r.Fires?.OffInstant),
                $"{F(r.Resources?.SilosCpuPercent, 0)} / {F(r.Resources?.Postgres?.CpuPercent, 0)}",
                string.Join(" / ", r.Resources?.Silos.Select(s => F(s.RssEndMb, 0)) ?? []),
                $"{F(r.LoadAtWindowStart)}-{F(r.LoadAtWindowEnd)}",
                r.Kill is { } k ? $"{k.VictimJobs} jobs: {F(k.AgainP50S, 1)} / {F(k.AgainMaxS, 1)}, {k.NeverAgain}" : "-",
            });
        Table(output, header, rows);
        output.WriteLine();
        foreach (var r in results.Where(r => r.Error is null))
        {
            output.WriteLine($"  {r.Scheduler}: {r.Settings}");
        }
        output.WriteLine();
        output.WriteLine("reg s: first node's process start until all N jobs were registered in the scheduler's tables. Lateness: start of the first");
        output.WriteLine("fire minus the scheduled instant, taken in the job body by the same recorder for all (Hangfire: instant derived from its");
        output.WriteLine("\"Time\" parameter, see bench/README.md). exactly once / twice+ / never: every (job, instant) of the window. off-instant: fires");
        output.WriteLine("whose instant is not on the job's schedule. CPU: % of one core over the window (nodes summed; the killed one until its kill),");
        output.WriteLine("PostgreSQL all processes. RSS at the window's end (the killed node: at its kill). After kill: jobs whose last fire before the");
        output.WriteLine("kill ran on the killed node; seconds from the kill until each fired on another node; never = not within the window.");
        output.WriteLine("load 1m: the machine's 1-minute load average at the window's start and end (2 cores: above 2, other work shared the CPU).");
    }

    private static void Table(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        // An error row has two cells, the second as wide as it needs: only full rows and first cells size the columns.
        var widths = Enumerable.Range(0, header.Length)
            .Select(i => all.Where(r => r.Length == header.Length || i < r.Length - 1).Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
        foreach (var (row, index) in all.Select((r, i) => (r, i)))
        {
            output.WriteLine(string.Join(" | ", row.Select((cell, i) => i < row.Length - 1 ? cell.PadRight(widths[i]) : cell)).TrimEnd());
            if (index == 0)
            {
                output.WriteLine(string.Join("-+-", widths.Select(w => new string('-', w))));
            }
        }
    }

    private static string F(double? value, int decimals = 1) =>
        value is { } v ? v.ToString(decimals == 0 ? "0" : "0." + new string('0', decimals), CultureInfo.InvariantCulture) : "-";

    private static string N(long? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "-";
}
