using Totallator.Bench.Measurements;

namespace Totallator.Bench;

/// <summary>Everything measured for one configuration: one JSON line. Figures that could not be taken are null, with <see cref="Error"/> saying why.</summary>
public sealed record ConfigurationResult
{
    public required string Configuration { get; init; }
    public required int Jobs { get; init; }
    public required string Schedule { get; init; }
    /// <summary>Seconds the fires of each period are spread over (1: all on the same instant).</summary>
    public int Spread { get; init; } = 1;
    public required int Silos { get; init; }
    public required double HeartbeatS { get; init; }
    public DateTimeOffset? WindowStart { get; init; }
    public double? WindowS { get; init; }
    /// <summary>Occurrence instants of the schedule inside the window (each job should run once at each).</summary>
    public int? Instants { get; init; }
    public RegistrationFigures? Registration { get; init; }
    public LatenessFigures? Lateness { get; init; }
    public ThroughputFigures? Throughput { get; init; }
    public OccurrenceFigures? Occurrences { get; init; }
    public ResourceFigures? Resources { get; init; }
    public PostgresActivityFigures? PostgresActivity { get; init; }
    public FailoverFigures? Failover { get; init; }
    public AdminReadFigures? AdminRead { get; init; }
    /// <summary>Wall time of the whole configuration, database to drop.</summary>
    public double DurationS { get; init; }
    public string? Error { get; init; }
    public MachineInfo? Machine { get; init; }
}
