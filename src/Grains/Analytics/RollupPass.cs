using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Totallator.Grains.Analytics;

/// <summary>
/// Keeps the roll-ups (docs/analytics.md) up to date: every silo, every <see cref="AnalyticsOptions.RollupInterval"/> and once at
/// start, asks the store for a pass; the store lets one silo at a time do it (the others skip). It reads the history, never
/// writes it, and adds nothing to the statements that record runs.
/// </summary>
public sealed partial class RollupPass(IRollupStore store, IOptions<AnalyticsOptions> options, TimeProvider timeProvider, ILogger<RollupPass> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        if (!o.Enabled)
        {
            return;
        }
        using var timer = new PeriodicTimer(o.RollupInterval, timeProvider);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; a failure is logged and left to the next interval (a pass only ever recomputes, so nothing is lost).</summary>
    public async Task<RollupPassResult?> RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await store.RunPassAsync(options.Value.Policy, cancellationToken);
            if (result is null)
            {
                LogSkipped(logger);
            }
            else
            {
                LogPassed(logger, result.Windows, result.BucketsWritten, result.BucketsDeleted, (long)result.Duration.TotalMilliseconds);
            }
            return result;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex);
            return null;
        }
    }

    [LoggerMessage(EventId = 3601, Level = LogLevel.Debug, Message = "Roll-up pass skipped: another silo is running one or just did")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(EventId = 3602, Level = LogLevel.Information,
        Message = "Roll-up pass: {Windows} window(s) recomputed, {Written} bucket(s) written, {Deleted} deleted, in {DurationMs} ms")]
    private static partial void LogPassed(ILogger logger, int windows, int written, int deleted, long durationMs);

    [LoggerMessage(EventId = 3603, Level = LogLevel.Warning, Message = "Roll-up pass failed; retrying next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
