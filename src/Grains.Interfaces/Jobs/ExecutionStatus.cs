namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>
/// The state of one execution row. Every row ends in exactly one terminal state; only <see cref="Running"/> and
/// <see cref="Claimed"/> are not terminal.
/// </summary>
/// <remarks>Stored as the snake_case text given by <see cref="ExecutionStatusText"/>; the database checks the vocabulary.</remarks>
[GenerateSerializer, Alias("totallator.execution-status")]
public enum ExecutionStatus
{
    /// <summary>Claimed and running; its silo renews a lease on the row.</summary>
    Running = 0,
    /// <summary>The job returned success.</summary>
    Succeeded = 1,
    /// <summary>The job returned failure or threw.</summary>
    Failed = 2,
    /// <summary>The job did not finish within its timeout.</summary>
    TimedOut = 3,
    /// <summary>The occurrence was not run, for the reason recorded (overlap with a running execution, shutdown).</summary>
    Skipped = 4,
    /// <summary>The occurrence fell due while nothing could run it and the misfire policy chose not to run it.</summary>
    Missed = 5,
    /// <summary>The silo running it died or stopped before it finished (its lease expired).</summary>
    Abandoned = 6,
    /// <summary>
    /// Claimed a moment ahead of its instant (so the instant itself needs no database round trip), not started yet; its silo
    /// holds a lease. It becomes running when it starts (or ends straight from here when the run is short), or is released
    /// first: withdrawn (the row removed) when the occurrence is no longer the job's, otherwise handed over (no owner) to the
    /// job's next activation.
    /// </summary>
    Claimed = 7,
}

/// <summary>Text forms of <see cref="ExecutionStatus"/> as stored in <c>cronJobExecution.status</c>.</summary>
public static class ExecutionStatusText
{
    /// <summary>The stored text of a status.</summary>
    public static string ToText(this ExecutionStatus status) => status switch
    {
        ExecutionStatus.Running => "running",
        ExecutionStatus.Succeeded => "succeeded",
        ExecutionStatus.Failed => "failed",
        ExecutionStatus.TimedOut => "timed_out",
        ExecutionStatus.Skipped => "skipped",
        ExecutionStatus.Missed => "missed",
        ExecutionStatus.Abandoned => "abandoned",
        ExecutionStatus.Claimed => "claimed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown execution status."),
    };

    /// <summary>Parses the stored text of a status.</summary>
    public static ExecutionStatus Parse(string text) => text switch
    {
        "running" => ExecutionStatus.Running,
        "succeeded" => ExecutionStatus.Succeeded,
        "failed" => ExecutionStatus.Failed,
        "timed_out" => ExecutionStatus.TimedOut,
        "skipped" => ExecutionStatus.Skipped,
        "missed" => ExecutionStatus.Missed,
        "abandoned" => ExecutionStatus.Abandoned,
        "claimed" => ExecutionStatus.Claimed,
        _ => throw new FormatException($"Unknown execution status '{text}'."),
    };

    /// <summary>Whether the row has not ended yet (running, or claimed ahead and about to start).</summary>
    public static bool IsActive(this ExecutionStatus status) => status is ExecutionStatus.Running or ExecutionStatus.Claimed;
}
