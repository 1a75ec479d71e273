using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totallator.Bench;

/// <summary>The figures: one JSON line per configuration (machine-readable, self-contained) and a table for people.</summary>
public static class Report
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = false,
    };

    public static string JsonLine(ConfigurationResult result) => JsonSerializer.Serialize(result, _json);

    public static void PrintTable(TextWriter output, MachineInfo machine, IReadOnlyList<ConfigurationResult> results)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(results);
        output.WriteLine();
        output.WriteLine("Totallator Cron benchmark on " + machine);
        output.WriteLine();
        Table(output,
            ["config", "N", "silos", "hb s", "window s", "lateness min/p50/p95/p99/max ms", "claim start p50/p99", "fires/s (expected)", "tracked/s", "exactly once", "unrecorded",
             "missed", "skipped", "abandoned", "failed", "unended", "dup", "ran twice"],
            results.Select(r => r.Error is not null
                ? [r.Configuration, N(r.Jobs), N(r.Silos), F(r.HeartbeatS, 0), "error: " + r.Error]
                : new[]
                {
                    r.Configuration, N(r.Jobs), N(r.Silos), F(r.HeartbeatS, 0), F(r.WindowS, 0),
                    $"{F(r.Lateness?.MinMs)} / {F(r.Lateness?.P50Ms)} / {F(r.Lateness?.P95Ms)} / {F(r.Lateness?.P99Ms)} / {F(r.Lateness?.MaxMs)}",
                    $"{F(r.Lateness?.ClaimStartP50Ms)} / {F(r.Lateness?.ClaimStartP99Ms)}",
                    $"{F(r.Throughput?.FiresPerS)} ({F(r.Throughput?.ExpectedFiresPerS)})", F(r.Throughput?.TrackedExecutionsPerS),
                    $"{N(r.Occurrences?.ExactlyOnce)}/{N(r.Occurrences?.Expected)}", N(r.Occurrences?.Unrecorded),
                    N(r.Occurrences?.Status("missed")), N(r.Occurrences?.Status("skipped")), N(r.Occurrences?.Status("abandoned")),
                    N(r.Occurrences?.Status("failed") + r.Occurrences?.Status("timed_out")), N(r.Occurrences?.Unended),
                    N(r.Occurrences?.Duplicates), N(r.Occurrences?.RanTwice),
                }));
        output.WriteLine();
        Table(output,
            ["config", "silos ready s", "jobs stored s", "reminders s", "activated s", "reminders/s", "reg CPU % silo/pg", "all fired s", "missed before window", "silo CPU %", "silo RSS MB", "KB/job", "idle CPU % silo/pg", "idle KB/job",
             "PG CPU %", "PG RSS MB (anon)", "admin page p99 / whole list ms", "history rows"],
            results.Where(r => r.Error is null).Select(r => new[]
            {
                r.Configuration, F(r.Registration?.SilosReadyS), F(r.Registration?.JobsStoredS), Reminders(r), F(r.Registration?.ActivatedS), F(r.Registration?.RemindersPerS, 0),
                $"{F(r.Registration?.SilosCpuPercent, 0)} / {F(r.Registration?.PostgresCpuPercent, 0)}", F(r.Registration?.FirstFireAllS),
                N(r.Registration?.StatusesBeforeWindow.GetValueOrDefault("missed")),
                string.Join(" + ", r.Resources?.Silos.Select(s => F(s.CpuPercent, 0)) ?? []),
                string.Join(" + ", r.Resources?.Silos.Select(s => F(s.RssStartMb, 0)) ?? []),
                F(r.Resources?.MemoryPerJobKb, 2),
                r.Resources?.Idle is { } idle ? $"{F(idle.SilosCpuPercent)} / {F(idle.PostgresCpuPercent)}{(idle.WhileRegistering ? " (registering)" : "")}" : "-",
                F(r.Resources?.Idle?.MemoryPerJobKb, 2),
                F(r.Resources?.Postgres?.CpuPercent, 0),
                r.Resources?.Postgres is { } pg ? $"{F(pg.RssSumMb, 0)} ({F(pg.RssAnonSumMb, 0)})" : "-",
                r.AdminRead is { } admin ? $"{F(admin.PageP99Ms)} / {F(admin.WholeListMs)}" : "-",
                N(r.AdminRead?.HistoryRows),
            }));
        foreach (var r in results.Where(r => r.Error is null))
        {
            output.WriteLine();
            Activity(output, r.Configuration + ": PostgreSQL backends while registering", r.Registration?.PostgresActivity);
            Activity(output, r.Configuration + ": PostgreSQL backends during the window", r.PostgresActivity);
        }
        foreach (var r in results.Where(r => r.Failover is not null))
        {
            var f = r.Failover!;
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Configuration}: killed {f.KilledSilo} {F(f.KilledAtS)} s into the window (heartbeat {F(f.HeartbeatS, 0)} s); it owned {f.OwnedJobs} jobs: " +
                $"{f.Recovered} fired again elsewhere after min/p50/p95/max {F(f.RecoveryMinMs, 0)} / {F(f.RecoveryP50Ms, 0)} / {F(f.RecoveryP95Ms, 0)} / {F(f.RecoveryMaxMs, 0)} ms, " +
                $"{f.NeverRecovered} never did within the window."));
            if (f.OwnedJobsOccurrences is { } o)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  their occurrences in the window: {o.ExactlyOnce}/{o.Expected} exactly once, {o.Unrecorded} unrecorded, {o.Status("missed")} missed, " +
                    $"{o.Status("abandoned")} abandoned, {o.Unended} not ended yet (claimed or running on the killed silo, lease not yet expired), {o.CatchUpRows} run as catch-up, {o.Duplicates} duplicate, {o.RanTwice} ran twice."));
            }
        }
        foreach (var r in results.Where(r => r.Occurrences?.ExampleReasons.Count > 0))
        {
            output.WriteLine();
            output.WriteLine(r.Configuration + ": why occurrences did not simply succeed (one example per status):");
            foreach (var (status, reason) in r.Occurrences!.ExampleReasons)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {status} ({r.Occurrences.Status(status)}): {reason}"));
            }
        }
        output.WriteLine();
        output.WriteLine("Lateness: job start minus due instant, measured inside the job; claim start: when the grain's tick began claiming (startedAt).");
        output.WriteLine("fires/s: occurrences of the window that ran, over its length.");
        output.WriteLine("tracked/s: rows completed in the window. unrecorded: occurrence with no row a few seconds after the window. CPU: % of one core.");
        output.WriteLine("KB/job: " + (results.FirstOrDefault(r => r.Resources is not null)?.Resources?.MemoryPerJobBasis ?? "-") +
            "; meaningful at large N only (below that, a server-GC heap growing under load dominates). idle KB/job: the same at the idle sample's start" +
            " (sleep100000: every job asleep).");
        output.WriteLine("reg CPU: silos and PostgreSQL from silo start until every reminder was written. missed before window: occurrences due between");
        output.WriteLine("the start-up sync and the job's first activation (registration slower than the schedule). PG RSS sums every postgres process.");
    }

    private static void Activity(TextWriter output, string title, Measurements.PostgresActivityFigures? activity)
    {
        if (activity is null)
        {
            return;
        }
        output.WriteLine($"{title}: {activity.Summary(6)}");
        foreach (var statement in activity.TopStatements.Take(3))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {statement.AvgActiveWhenBusy,5:0.00}  {statement.Statement}"));
        }
    }

    private static string Reminders(ConfigurationResult r) => r.Registration switch
    {
        null => "-",
        { Complete: true } g => F(g.RemindersS),
        var g => string.Create(CultureInfo.InvariantCulture, $"incomplete ({g.RemindersSeen}/{r.Jobs})"),
    };

    private static void Table(TextWriter output, string[] header, IEnumerable<string[]> rows)
    {
        var all = rows.Prepend(header).ToList();
        var widths = Enumerable.Range(0, header.Length).Select(i => all.Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
        foreach (var (row, index) in all.Select((r, i) => (r, i)))
        {
            output.WriteLine(string.Join(" | ", row.Select((cell, i) => i < widths.Length && i < row.Length - 1 ? cell.PadRight(widths[i]) : cell)).TrimEnd());
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
