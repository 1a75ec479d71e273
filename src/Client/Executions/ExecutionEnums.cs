namespace Totallator.Client;

/// <summary>The state of one execution. Only <see cref="Running"/> and <see cref="Claimed"/> are not terminal.</summary>
public enum ExecutionStatus
{
    /// <summary>Running on a silo.</summary>
    Running,
    /// <summary>The job returned success.</summary>
    Succeeded,
    /// <summary>The job returned failure, threw, or was cancelled (<see cref="ExecutionSummary.StatusReason"/> <c>cancelled</c>).</summary>
    Failed,
    /// <summary>The job did not finish within its timeout.</summary>
    TimedOut,
    /// <summary>Not run, for the reason recorded (overlap, global pause, shutdown).</summary>
    Skipped,
    /// <summary>Fell due while nothing could run it, and the misfire policy chose not to run it.</summary>
    Missed,
    /// <summary>The silo running it died or stopped before it finished.</summary>
    Abandoned,
    /// <summary>Claimed a moment ahead of its instant; about to start.</summary>
    Claimed,
}

/// <summary>What started an execution.</summary>
public enum TriggerSource
{
    /// <summary>The schedule, on time.</summary>
    Scheduler,
    /// <summary>A person or a machine through the admin API.</summary>
    Manual,
    /// <summary>A further attempt of a failed occurrence.</summary>
    Retry,
    /// <summary>An occurrence missed during downtime, run late by the misfire policy.</summary>
    CatchUp,
    /// <summary>Released by the end of its upstream jobs' occurrences.</summary>
    Dependency,
    /// <summary>A one-off run scheduled for an instant.</summary>
    OneOff,
}

/// <summary>Helpers on <see cref="ExecutionStatus"/>.</summary>
public static class ExecutionStatusExtensions
{
    /// <summary>Whether the execution has ended (every status but running and claimed).</summary>
    public static bool IsTerminal(this ExecutionStatus status) => status is not (ExecutionStatus.Running or ExecutionStatus.Claimed);

    /// <summary>Whether the execution ended in a failure: failed, timed out or abandoned.</summary>
    public static bool IsFailure(this ExecutionStatus status) =>
        status is ExecutionStatus.Failed or ExecutionStatus.TimedOut or ExecutionStatus.Abandoned;
}
