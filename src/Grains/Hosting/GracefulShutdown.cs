using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Execution;

namespace Totallator.Grains.Hosting;

/// <summary>
/// On silo stop, first of all: stop starting occurrences here, let running ones finish within
/// <see cref="SchedulerOptions.ShutdownGracePeriod"/>, then cancel the rest; they are recorded abandoned (reason: shutdown).
/// Runs before grains deactivate, so each run loop can still record its own end.
/// </summary>
public sealed partial class GracefulShutdown(RunRegistry registry, TimeProvider timeProvider, IOptions<SchedulerOptions> options,
    ILogger<GracefulShutdown> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(GracefulShutdown), ServiceLifecycleStage.Active, _ => Task.CompletedTask, StopAsync);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        registry.BeginStopping();
        var runs = registry.Snapshot();
        if (runs.Count == 0)
        {
            return;
        }
        var grace = options.Value.ShutdownGracePeriod;
        LogWaiting(logger, runs.Count, grace);
        var all = Task.WhenAll(runs.Select(r => r.Completion));
        try
        {
            await all.WaitAsync(grace, timeProvider, cancellationToken);
            return;
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }
        var left = registry.Snapshot();
        LogCancelling(logger, left.Count);
        foreach (var run in left)
        {
            run.Cancel(CancelReason.Shutdown);
        }
        try
        {
            // Enough for jobs to honour the token (or be given up on) and for their rows to be written.
            await all.WaitAsync(options.Value.CancellationGrace + TimeSpan.FromSeconds(5), timeProvider, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            LogLeftBehind(logger, registry.Count);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Shutting down: waiting up to {Grace} for {Count} running job(s)")]
    private static partial void LogWaiting(ILogger logger, int count, TimeSpan grace);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Shutdown grace over: cancelling {Count} running job(s); they are recorded abandoned")]
    private static partial void LogCancelling(ILogger logger, int count);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "{Count} run(s) could not record their end before shutdown; the lease sweeper of another silo records them abandoned")]
    private static partial void LogLeftBehind(ILogger logger, int count);
}
