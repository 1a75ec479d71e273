using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Hosting;

public sealed partial class SchedulerSettingsCache
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Scheduling paused: {Paused} (last change by {UpdatedBy})")]
    private static partial void LogPauseChanged(ILogger logger, bool paused, string updatedBy);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Reading the global settings failed; keeping the last values")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
