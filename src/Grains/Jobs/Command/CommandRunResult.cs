namespace Totallator.Grains.Jobs.Command;

/// <summary>How a command run by <see cref="CommandRunner"/> ended (cancellation throws instead).</summary>
internal sealed record CommandRunResult
{
    /// <summary>Set when the process could not be started (executable not found, not executable, bad working directory).</summary>
    public string? StartError { get; init; }
    /// <summary>Null only when the process never started.</summary>
    public int? ExitCode { get; init; }
    /// <summary>Stdout and stderr interleaved in arrival order, bounded (head + marker + tail).</summary>
    public string Output { get; init; } = "";
    /// <summary>All bytes the command wrote, including those dropped from <see cref="Output"/>.</summary>
    public long OutputBytes { get; init; }
    public TimeSpan Elapsed { get; init; }
    /// <summary>Peak resident set of the started process (not of its children), when it could be read.</summary>
    public double? PeakMemoryMb { get; init; }
    /// <summary>CPU time of the started process over wall time × 100 (may exceed 100 for several threads), when it could be read.</summary>
    public double? CpuUsagePercent { get; init; }

    public bool Started => StartError is null;
}
