using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Scheduling;

/// <summary>
/// One step <see cref="JobPlanner"/> asks its shell to carry out. The shell reports the outcome back (<see cref="JobPlanner.Done"/>,
/// <see cref="JobPlanner.Claimed"/>, <see cref="JobPlanner.Failed"/>) before it asks for the next step; <see cref="ArmCommand"/> and
/// <see cref="DisarmCommand"/> end a tick.
/// </summary>
public abstract record PlanCommand;

/// <summary>Why a claim is made: it decides what a won claim leads to and which conflicts count where.</summary>
public enum ClaimKind
{
    /// <summary>An occurrence due now, claimed at its instant (or late, as a catch-up): a win starts its run.</summary>
    Due,
    /// <summary>The next on-time occurrence, claimed before its instant: a win holds it until then.</summary>
    Ahead,
}

/// <summary>
/// Insert the claim's row (the fence), as <c>claimed</c>: a row says running only once its run has started. Answer with
/// <see cref="JobPlanner.Claimed"/>: won, or held by someone else.
/// </summary>
/// <param name="Claim">The attempt to claim.</param>
/// <param name="Kind">At the instant (or late), or ahead of it.</param>
/// <param name="RunsAt">For a due occurrence, when its run starts once won; null for a claim ahead.</param>
public sealed record ClaimCommand(ExecutionClaim Claim, ClaimKind Kind, DateTimeOffset? RunsAt = null) : PlanCommand;

/// <summary>Record occurrences that end without running, each at most once.</summary>
/// <param name="Rows">One row per occurrence (and one summary row when there were too many).</param>
/// <param name="Summarised">How many occurrences the summary row among <paramref name="Rows"/> stands for (0 when there is none).</param>
public sealed record RecordUnrunCommand(IReadOnlyList<UnrunOccurrence> Rows, long Summarised) : PlanCommand;

/// <summary>End an occurrence claimed ahead without running it (skipped or missed at its instant).</summary>
public sealed record EndUnrunCommand(ExecutionClaim Claim, ExecutionStatus Status, string Reason, DateTimeOffset At) : PlanCommand;

/// <summary>
/// Give back an occurrence claimed ahead that must not run here: withdrawn when it is no longer the job's
/// (<paramref name="Withdraw"/>), else handed over to the job's next activation (see <see cref="IJobStore.ReleaseClaimAsync"/>).
/// </summary>
public sealed record ReleaseCommand(ExecutionClaim Claim, string Reason, bool Withdraw) : PlanCommand;

/// <summary>Start the run of a won claim; no store write (the fence is held).</summary>
/// <param name="Claim">The claim, with the start time.</param>
/// <param name="StartUnrecorded">The row still says claimed (a claim ahead): the lease maintenance records the start if the run lasts.</param>
public sealed record StartRunCommand(ExecutionClaim Claim, bool StartUnrecorded) : PlanCommand;

/// <summary>
/// Read the job again (<see cref="JobPlanner.Load"/>): a claim was refused or rows were not recorded, so another activation
/// holds the occurrence or the job changed under this one. At most once a tick.
/// </summary>
public sealed record ReloadCommand : PlanCommand
{
    public static readonly ReloadCommand Instance = new();
}

/// <summary>Record why the job cannot be scheduled.</summary>
public sealed record SetInvalidCommand(string Reason) : PlanCommand;

/// <summary>Wake this job at <paramref name="At"/> (the tick ends).</summary>
public sealed record ArmCommand(DateTimeOffset At) : PlanCommand;

/// <summary>Nothing to wake for (the tick ends).</summary>
public sealed record DisarmCommand : PlanCommand
{
    public static readonly DisarmCommand Instance = new();
}
