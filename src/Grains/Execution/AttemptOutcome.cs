using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Execution;

/// <summary>What one attempt came to, ready to be stored as its row's terminal state.</summary>
public sealed record AttemptOutcome
{
    public required ExecutionStatus Status { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    public required long DurationMs { get; init; }
    public int? ExitCode { get; init; }
    public string? Output { get; init; }
    public string? ErrorMessage { get; init; }
    public string? StackTrace { get; init; }
    public long? ItemsProcessed { get; init; }
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
    public double? MemoryUsageMb { get; init; }
    public double? CpuUsagePercent { get; init; }
    public string? StatusReason { get; init; }
    /// <summary>The job ignored cancellation and is still running in the background; it must not be retried on top of itself.</summary>
    public bool JobStillRunning { get; init; }
    /// <summary>Cancelled by an admin or by shutdown: never retried.</summary>
    public bool CancelledFromOutside { get; init; }
}
