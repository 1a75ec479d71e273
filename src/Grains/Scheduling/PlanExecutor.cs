using Totallator.Grains.Storage;

namespace Totallator.Grains.Scheduling;

/// <summary>What a <see cref="JobPlanner"/>'s commands need besides the store: the job grain, or the simulation's stand-in.</summary>
public interface IPlanShell
{
    /// <summary>The clock, the pause, the silo's state and the runs, read fresh for every step.</summary>
    PlanInputs Inputs();

    /// <summary>Starts a run (off the tick: the tick goes on while it runs).</summary>
    void StartRun(StartRunCommand command);

    void Arm(DateTimeOffset at);

    void Disarm();

    Task SetInvalidAsync(string reason, CancellationToken cancellationToken);

    /// <summary>Reads the job again and hands it to the planner (<see cref="JobPlanner.Load"/>).</summary>
    Task ReloadAsync(CancellationToken cancellationToken);

    /// <summary>Ends an occurrence claimed ahead without running it (retried through a store outage for as long as its lease holds).</summary>
    Task EndUnrunAsync(EndUnrunCommand command);

    /// <summary>
    /// A command was carried out: for logs and metrics. <paramref name="outcome"/>: a claim won; a released claim removed (false:
    /// handed over to the job's next activation, or already started); null otherwise.
    /// </summary>
    void Observe(PlanCommand command, bool? outcome);

    /// <summary>A release failed: the row keeps its claim without renewal until its lease expires.</summary>
    void ReleaseFailed(ReleaseCommand command, Exception exception);
}

/// <summary>Carries out a planner's commands against the store until the tick ends; the one loop the grain and the simulation share.</summary>
public static class PlanExecutor
{
    /// <summary>One tick. A store failure ends it by throwing, after the planner heard of it (it plans the same work again next tick).</summary>
    public static async Task TickAsync(JobPlanner planner, IJobStore store, IPlanShell shell, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(shell);
        planner.BeginTick();
        while (true)
        {
            var command = planner.Next(shell.Inputs());
            bool? outcome = null;
            try
            {
                switch (command)
                {
                    case ArmCommand arm:
                        shell.Arm(arm.At);
                        return;
                    case DisarmCommand:
                        shell.Disarm();
                        return;
                    case ClaimCommand claim:
                        outcome = await store.TryClaimAsync(claim.Claim, cancellationToken);
                        planner.Claimed(claim, outcome.Value);
                        break;
                    case RecordUnrunCommand unrun:
                        outcome = await store.RecordUnrunAsync(unrun.Rows, cancellationToken);
                        planner.Done(unrun, outcome.Value);
                        break;
                    case ReloadCommand:
                        await shell.ReloadAsync(cancellationToken);
                        break;
                    case EndUnrunCommand end:
                        await shell.EndUnrunAsync(end);
                        planner.Done(end);
                        break;
                    case ReleaseCommand release:
                        await ReleaseAsync(planner, store, shell, release, cancellationToken);
                        continue;
                    case StartRunCommand start:
                        shell.StartRun(start);
                        planner.Done(start);
                        break;
                    case SetInvalidCommand invalid:
                        await shell.SetInvalidAsync(invalid.Reason, cancellationToken);
                        planner.Done(invalid);
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown plan command {command.GetType().Name}.");
                }
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                planner.Failed(command);
                throw;
            }
            shell.Observe(command, outcome);
        }
    }

    /// <summary>Gives back a claim ahead; a failure is reported, not thrown (the row's lease then runs out).</summary>
    public static async Task ReleaseAsync(JobPlanner planner, IJobStore store, IPlanShell shell, ReleaseCommand release,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(shell);
        ArgumentNullException.ThrowIfNull(release);
        try
        {
            var released = await store.ReleaseClaimAsync(release.Claim.ExecutionId, release.Claim.LeaseOwner, release.Reason, release.Withdraw, cancellationToken,
                release.Claim.ScheduledFor);
            planner.Done(release, released == ClaimRelease.Removed);
            shell.Observe(release, released == ClaimRelease.Removed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            shell.ReleaseFailed(release, ex);
        }
    }
}
