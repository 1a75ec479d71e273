using Totallator.Grains.Jobs;

namespace Totallator.Silo.Examples;

/// <summary>Example: a quick job every 10 seconds that reports how late it started, so a fresh install shows history at once.</summary>
public sealed partial class HeartbeatJob(TimeProvider timeProvider) : ICronJob
{
    public Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var lateness = timeProvider.GetUtcNow() - context.ScheduledFor;
        LogBeat(context.Logger, context.OccurrenceKey, lateness.TotalMilliseconds);
        return Task.FromResult(CronJobResult.Succeeded(
            $"Started {lateness.TotalMilliseconds:0} ms after {context.ScheduledFor:HH:mm:ss}Z", 1,
            new Dictionary<string, double> { ["latenessMs"] = lateness.TotalMilliseconds }));
    }

    [Microsoft.Extensions.Logging.LoggerMessage(EventId = 9001, Level = Microsoft.Extensions.Logging.LogLevel.Information,
        Message = "Heartbeat for {OccurrenceKey}, {LatenessMs} ms late")]
    private static partial void LogBeat(Microsoft.Extensions.Logging.ILogger logger, string occurrenceKey, double latenessMs);
}
