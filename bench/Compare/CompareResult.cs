using Totallator.Bench.Measurements;

namespace Totallator.Bench.Compare;

/// <summary>One row of --compare: one JSON line. Figures that could not be taken are null, with <see cref="Error"/> saying why.</summary>
public sealed record CompareResult
{
    public required string Scheduler { get; init; }
    public required string Settings { get; init; }
    public required int Jobs { get; init; }
    public required string Schedule { get; init; }
    public required int Spread { get; init; }
    public required int Nodes { get; init; }
    public DateTimeOffset? WindowStart { get; init; }
    public double? WindowS { get; init; }
    /// <summary>From the first node's process start until all N jobs were registered (<see cref="CompareSchemas.RegisteredCountSql"/>).</summary>
    public double? RegistrationS { get; init; }
    public long? RegisteredJobs { get; init; }
    public double? NodesReadyS { get; init; }
    public FireFigures? Fires { get; init; }
    public KillFigures? Kill { get; init; }
    /// <summary>Over the window (the killed node until its kill).</summary>
    public ResourceFigures? Resources { get; init; }
    /// <summary>1-minute load average (/proc/loadavg) at the window's start and end: the machine may be shared with other work.</summary>
    public double? LoadAtWindowStart { get; init; }
    public double? LoadAtWindowEnd { get; init; }
    public double DurationS { get; init; }
    public string? Error { get; init; }
    public MachineInfo? Machine { get; init; }
}

/// <summary>The 1-minute load average, or null off Linux.</summary>
public static class LoadAverage
{
    public static double? Read()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
