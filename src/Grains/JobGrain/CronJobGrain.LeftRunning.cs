using Totallator.Grains.Execution;

namespace Totallator.Grains.JobGrain;

/// <summary>
/// The bound of attempts left running (<see cref="Hosting.SchedulerOptions.MaxAttemptsLeftRunningPerJob"/>): a job whose code
/// ignores its cancellation would otherwise leave one more thread (or process) behind at every timeout, without end.
/// </summary>
public sealed partial class CronJobGrain
{
    /// <summary>Why an occurrence due now must not start: the job is at its bound of attempts left running; null otherwise.</summary>
    private string? LeftRunningSkipReason() => LeftRunningAttempts.SkipReason(leftRunning.CountOf(_slug), _options.MaxAttemptsLeftRunningPerJob);
}
