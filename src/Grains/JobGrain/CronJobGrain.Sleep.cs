using Microsoft.Extensions.Logging;
using Totallator.Grains.Scheduling;

namespace Totallator.Grains.JobGrain;

/// <summary>
/// Sleeping jobs: a job whose next occurrence is far away gives up its activation and timer, and its durable reminder (the
/// same one that serves as heartbeat while it is awake) is set to wake it <see cref="Hosting.SchedulerOptions.WakeLead"/> before
/// that occurrence. At 100,000 hourly or daily jobs the silo then holds a reminder per job instead of a grain per job.
/// </summary>
/// <remarks>
/// A sleep costs two reminder writes per occurrence (the wake-up when it sleeps, the heartbeat back when it wakes). The wake-up
/// repeats every <see cref="Hosting.SchedulerOptions.WakeRetryPeriod"/>: if the silo holding it dies at its instant, the survivor
/// that takes the reminder over fires it at the next repetition, still ahead of the occurrence.
/// </remarks>
public sealed partial class CronJobGrain
{
    // The period of this job's reminder as far as this activation knows: null unknown, zero none.
    private TimeSpan? _reminderPeriod;
    // This activation is going away to sleep, not lost: it must not ask to come back.
    private bool _asleep;

    /// <summary>At the end of a tick: sleeps when the next wake-up is far and nothing is in hand (see <see cref="Sleep.WakeAt"/>).</summary>
    private async Task SleepIfIdleAsync()
    {
        if (_asleep || _reloadBeforeTick || !_planner.IsSchedulable)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var inputs = new SleepInputs(now, _armedFor, _planner.IsQuiet, _runs.Count > 0 || leftRunning.CountOf(_slug) > 0, _oneOffs.Count > 0,
            _job is { After.Count: > 0 }, registry.IsStopping);
        if (Sleep.WakeAt(inputs, _options.SleepBeyond, _options.WakeLead, Random.Shared.NextDouble()) is not { } wakeAt)
        {
            return;
        }
        try
        {
            await this.RegisterOrUpdateReminder(HeartbeatReminder, wakeAt - now, _options.WakeRetryPeriod);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Awake it stays, its timer armed: sleeping is only a saving.
            _reminderPeriod = null;
            LogSleepFailed(logger, ex, _slug);
            return;
        }
        _reminderPeriod = _options.WakeRetryPeriod;
        _asleep = true;
        DisposeTimer();
        LogSleeping(logger, _slug, wakeAt);
        DeactivateOnIdle();
    }

    /// <summary>Keeps the reminder a heartbeat while the job wants one (a wake-up found in place is made a heartbeat again), else none.</summary>
    private async Task EnsureHeartbeatAsync(bool wanted)
    {
        var target = wanted ? _options.HeartbeatPeriod : TimeSpan.Zero;
        if (_reminderPeriod == target)
        {
            return;
        }
        if (_reminderPeriod is null)
        {
            // A reminder found is taken for the heartbeat: if it is a wake-up still, its next tick says so (ReceiveReminder).
            _reminderPeriod = await this.GetReminder(HeartbeatReminder) is null ? TimeSpan.Zero : _options.HeartbeatPeriod;
            if (_reminderPeriod == target)
            {
                return;
            }
        }
        if (wanted)
        {
            await this.RegisterOrUpdateReminder(HeartbeatReminder, _options.HeartbeatPeriod, _options.HeartbeatPeriod);
        }
        else if (await this.GetReminder(HeartbeatReminder) is { } existing)
        {
            await this.UnregisterReminder(existing);
        }
        _reminderPeriod = target;
    }

    [LoggerMessage(EventId = 2022, Level = LogLevel.Debug, Message = "Job {JobSlug} sleeps until {WakeAt:o}")]
    private static partial void LogSleeping(ILogger logger, string jobSlug, DateTimeOffset wakeAt);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Warning, Message = "Job {JobSlug} could not set its wake-up reminder; it stays awake")]
    private static partial void LogSleepFailed(ILogger logger, Exception exception, string jobSlug);
}
