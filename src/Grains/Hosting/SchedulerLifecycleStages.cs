namespace Totallator.Grains.Hosting;

/// <summary>
/// Where the scheduler's services sit in the silo lifecycle. Stages start in ascending order and stop in descending order, so a
/// service at <see cref="Services"/> is up before anything can schedule on this silo and down only after every grain has gone.
/// </summary>
/// <remarks>
/// Why not hosted services: <c>UseOrleans</c> registers Orleans' silo hosted service when the silo builder is created, before any
/// of its configuration adds ours, and the host starts hosted services in registration order and stops them in reverse. A
/// scheduler hosted service therefore started only once the silo was active (grains already planning) and stopped before the
/// silo began to stop, so the graceful drain ran with no lease renewal and survivors swept runs that then finished unrecorded.
/// </remarks>
public static class SchedulerLifecycleStages
{
    /// <summary>
    /// <see cref="ServiceLifecycleStage.ApplicationServices"/>. On start: after the runtime and membership join, before the silo
    /// becomes active (<see cref="ServiceLifecycleStage.BecomeActive"/>), before reminders (started at
    /// <see cref="ServiceLifecycleStage.Active"/>) and the start-up wake pass (<c>Active + 1</c>): no job grain has planned yet.
    /// On stop: after the graceful drain (<see cref="ServiceLifecycleStage.Active"/>), the membership's shutting-down status
    /// (<see cref="ServiceLifecycleStage.BecomeActive"/>) and grain deactivation (<see cref="ServiceLifecycleStage.GrainDeactivation"/>),
    /// and before the silo is declared dead (<c>RuntimeInitialize + 1</c>).
    /// </summary>
    public const int Services = ServiceLifecycleStage.ApplicationServices;
}
