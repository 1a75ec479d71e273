namespace Totallator.Bench.Compare;

public enum SchedulerKind
{
    Totallator,
    Quartz,
    Hangfire,
}

/// <summary>One row of the --compare table: a scheduler and the settings it runs with.</summary>
public sealed record Contender(string Name, SchedulerKind Kind, string Profile, string Settings);

/// <summary>The same workload for every row: N jobs on a seconds-level schedule, S nodes, a window with a kill -9 inside it.</summary>
public sealed record CompareWorkload
{
    public required int Jobs { get; init; }
    public required string Schedule { get; init; }
    public required int Spread { get; init; }
    public required int Nodes { get; init; }
    public required TimeSpan WarmUp { get; init; }
    public required TimeSpan Window { get; init; }
    /// <summary>kill -9 of the last node this long into the window.</summary>
    public required TimeSpan KillAfter { get; init; }
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromMinutes(3);
}

public static class Contenders
{
    /// <summary>
    /// 1,000 jobs every 5 s, job i at second i mod 5 (200 fires in every second, as n1000 of the Totallator bench), 3 nodes each,
    /// 45 s measured with the last node killed 15.5 s in (mid-second, so fires are due on both sides of it): with 4 rows about
    /// 6 minutes in all.
    /// </summary>
    public static CompareWorkload Workload { get; } = new()
    {
        Jobs = 1_000, Schedule = "*/5 * * * * *", Spread = 5, Nodes = 3,
        WarmUp = TimeSpan.FromSeconds(10), Window = TimeSpan.FromSeconds(45), KillAfter = TimeSpan.FromSeconds(15.5),
    };

    public static IReadOnlyList<Contender> All { get; } =
    [
        new("totallator", SchedulerKind.Totallator, "", "3 silos as src/Silo wires them, production defaults (heartbeat 5 min)"),
        new("quartz", SchedulerKind.Quartz, QuartzSettings.Default,
            $"AdoJobStore clustered, defaults: {QuartzSettings.DefaultThreads} threads, 1 trigger per acquisition"),
        new("quartz-tuned", SchedulerKind.Quartz, QuartzSettings.Tuned,
            $"AdoJobStore clustered, {QuartzSettings.TunedThreads} threads, batch acquisition of {QuartzSettings.TunedBatch}"),
        new("hangfire", SchedulerKind.Hangfire, "",
            $"Hangfire.PostgreSql, schedule poll {HangfireSettings.SchedulePollingInterval.TotalSeconds:0} s, queue poll {HangfireSettings.QueuePollInterval.TotalMilliseconds:0} ms, {HangfireSettings.WorkerCount} workers per node"),
    ];
}
