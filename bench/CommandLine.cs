using System.Globalization;

namespace Totallator.Bench;

/// <summary>The driver's command line (the default role).</summary>
public sealed record DriverOptions
{
    public const string ServerVariable = "TOTALLATOR_BENCH_POSTGRES";
    public const string DefaultServer = "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres";

    public bool ShowHelp { get; init; }
    public bool Quick { get; init; }
    /// <summary>Runs the side-by-side comparison with Quartz.NET and Hangfire instead of the configurations.</summary>
    public bool Compare { get; init; }
    public IReadOnlyList<string> Only { get; init; } = [];
    /// <summary>Replaces every configuration's heartbeat period when set.</summary>
    public TimeSpan? Heartbeat { get; init; }
    /// <summary>A server connection string without a database; each configuration creates its own.</summary>
    public string Server { get; init; } = DefaultServer;

    public static string Usage => $"""
        Totallator.Bench: load harness for Totallator Cron (firing lateness, throughput, scale, failover, admin read).

        Usage:
          dotnet run --project bench -c Release [-- [--quick] [--only <name>[,<name>...]] [--heartbeat <s>]]
          dotnet run --project bench -c Release -- --compare [--only <scheduler>[,<scheduler>...]]

        Options:
          --quick            short windows; runs {string.Join(", ", Configurations.QuickNames)} (under 2 minutes)
          --only <names>     run only these configurations (comma-separated or repeated); with --quick, its short windows
          --heartbeat <s>    heartbeat reminder period in seconds for every configuration (default: per configuration)
          --compare          instead of the configurations: the same workload against {string.Join(", ", Bench.Compare.Contenders.All.Select(c => c.Name))}
                             (Quartz.NET 4.7 clustered AdoJobStore, Hangfire 1.8 on Hangfire.PostgreSql), one recorder for all,
                             kill -9 of one node; one table (about 7 minutes on a quiet machine). With --only, a subset.
          -h, --help         this text

        Configurations (full run, under 15 minutes):
        {Configurations.Describe()}
          {HistoryCost.Name,-11} not in a full run: ~10 M history rows seeded at schema 0014, cleanup and admin reads timed, migrated to
                      0015 (daily partitions) and timed again (bench/HistoryCost.cs; ~15 minutes)

        --compare workload: {Bench.Compare.Contenders.Workload.Jobs} jobs "{Bench.Compare.Contenders.Workload.Schedule}" spread over {Bench.Compare.Contenders.Workload.Spread} s, {Bench.Compare.Contenders.Workload.Nodes} nodes per scheduler, window {Bench.Compare.Contenders.Workload.Window.TotalSeconds:0} s, kill -9 of one node {Bench.Compare.Contenders.Workload.KillAfter.TotalSeconds:0.0} s in.

        PostgreSQL: {ServerVariable} (default "{DefaultServer}").
          On a fresh machine, as root: bash scripts/ensure-postgres.sh (installs and starts PostgreSQL 15).
          Each configuration creates a database bench_<guid>, applies the schema and drops it afterwards
          (kept when {BenchDatabase.KeepVariable} is set, for a closer look).

        Output: one JSON line per configuration and a table on stdout; progress and timings on stderr. Silo output
        (warnings and errors only) goes to a log directory named on stderr; set Logging__LogLevel__Default=Information
        in the environment for more. Child silos inherit the environment (e.g. Orleans__Membership__*, Cron__Scheduler__*).

        Silo role (started by the driver, not by hand):
          Totallator.Bench silo --jobs N --schedule "<cron>" --port P --gateway G --cluster C [--parent-pid PID]
          with ConnectionStrings__Postgres in the environment; prints READY on stdout once the silo is active.
        Node roles of --compare (started by the driver, not by hand):
          Totallator.Bench quartz-node|hangfire-node --jobs N --schedule "<cron>" --spread S --register 0|1 --profile P [--parent-pid PID]
          with ConnectionStrings__Postgres and {Bench.Compare.FireRecorder.ConnectionVariable} in the environment; READY once started.
        """;

    public static bool TryParse(IReadOnlyList<string> args, out DriverOptions options, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        options = new DriverOptions
        {
            Server = Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server ? server : DefaultServer,
        };
        var only = new List<string>();
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    options = options with { ShowHelp = true };
                    break;
                case "--quick":
                    options = options with { Quick = true };
                    break;
                case "--compare":
                    options = options with { Compare = true };
                    break;
                case "--only" when i + 1 < args.Count:
                    only.AddRange(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "--heartbeat" when i + 1 < args.Count:
                    if (!double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                    {
                        error = $"--heartbeat needs a positive number of seconds, not '{args[i]}'.";
                        return false;
                    }
                    options = options with { Heartbeat = TimeSpan.FromSeconds(seconds) };
                    break;
                default:
                    error = args[i] is "--only" or "--heartbeat" ? $"{args[i]} needs a value." : $"Unknown argument '{args[i]}'.";
                    return false;
            }
        }
        // With --compare, --only names schedulers (rows of the comparison) instead of configurations.
        var known = options.Compare ? Bench.Compare.Contenders.All.Select(c => c.Name).ToList() : [.. Configurations.Known, HistoryCost.Name];
        var unknown = only.Where(n => !known.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            error = $"Unknown {(options.Compare ? "scheduler" : "configuration")}(s) {string.Join(", ", unknown)}; known: {string.Join(", ", known)}.";
            return false;
        }
        options = options with { Only = only };
        return true;
    }
}

/// <summary>The silo role's command line: <c>silo --jobs N --schedule "…" --spread S --port P --gateway G --cluster C [--parent-pid PID]</c>.</summary>
public sealed record SiloArguments(int Jobs, string Schedule, int Spread, int Port, int Gateway, string Cluster, int? ParentPid)
{
    public const string Verb = "silo";

    public IEnumerable<string> ToArgs()
    {
        var args = new List<string>
        {
            Verb, "--jobs", Invariant(Jobs), "--schedule", Schedule, "--spread", Invariant(Spread), "--port", Invariant(Port), "--gateway", Invariant(Gateway), "--cluster", Cluster,
        };
        if (ParentPid is { } parent)
        {
            args.AddRange(["--parent-pid", Invariant(parent)]);
        }
        return args;
    }

    public static bool TryParse(ReadOnlySpan<string> args, out SiloArguments parsed, out string error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        parsed = new SiloArguments(0, "", 1, 0, 0, "", null);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error = $"expected --name value pairs, got '{args[i]}'";
                return false;
            }
            values[args[i][2..]] = args[i + 1];
        }
        string? Get(string name) => values.GetValueOrDefault(name);
        static int? Int(string? s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : null;
        if (Int(Get("jobs")) is not { } jobs || Get("schedule") is not { Length: > 0 } schedule || Int(Get("port")) is not { } port
            || Int(Get("gateway")) is not { } gateway || Get("cluster") is not { Length: > 0 } cluster)
        {
            error = "needs --jobs N --schedule \"<cron>\" --port P --gateway G --cluster C (numbers non-negative)";
            return false;
        }
        parsed = new SiloArguments(jobs, schedule, Math.Max(Int(Get("spread")) ?? 1, 1), port, gateway, cluster, Int(Get("parent-pid")));
        error = "";
        return true;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
