using System.Globalization;

namespace Totallator.Bench.Compare;

/// <summary>
/// The command line of a Quartz or Hangfire node of --compare (a child process of the driver, like a silo):
/// <c>quartz-node|hangfire-node --jobs N --schedule "&lt;cron&gt;" --spread S --register 0|1 --profile P [--parent-pid PID]</c>,
/// with the database in <c>ConnectionStrings__Postgres</c>. Only the node with <c>--register 1</c> adds the N jobs: both libraries
/// keep the schedule in the database, where one registration serves the whole cluster.
/// </summary>
public sealed record NodeArguments(string Verb, int Jobs, string Schedule, int Spread, bool Register, string Profile, int? ParentPid)
{
    public const string QuartzVerb = "quartz-node";
    public const string HangfireVerb = "hangfire-node";

    public IEnumerable<string> ToArgs()
    {
        var args = new List<string>
        {
            Verb, "--jobs", Invariant(Jobs), "--schedule", Schedule, "--spread", Invariant(Spread), "--register", Register ? "1" : "0", "--profile", Profile,
        };
        if (ParentPid is { } parent)
        {
            args.AddRange(["--parent-pid", Invariant(parent)]);
        }
        return args;
    }

    public static bool TryParse(string verb, ReadOnlySpan<string> args, out NodeArguments parsed, out string error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        parsed = new NodeArguments(verb, 0, "", 1, false, "", null);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                error = $"expected --name value pairs, got '{args[i]}'";
                return false;
            }
            values[args[i][2..]] = args[i + 1];
        }
        static int? Int(string? s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : null;
        if (Int(values.GetValueOrDefault("jobs")) is not { } jobs || values.GetValueOrDefault("schedule") is not { Length: > 0 } schedule)
        {
            error = "needs --jobs N --schedule \"<cron>\" [--spread S] [--register 0|1] [--profile P] [--parent-pid PID]";
            return false;
        }
        parsed = new NodeArguments(verb, jobs, schedule, Math.Max(Int(values.GetValueOrDefault("spread")) ?? 1, 1),
            values.GetValueOrDefault("register") == "1", values.GetValueOrDefault("profile") ?? "", Int(values.GetValueOrDefault("parent-pid")));
        error = "";
        return true;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
