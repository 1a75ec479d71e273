using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Hosting;

public sealed partial class SchedulerSettingsCache
{
    // 34xx: 3101 and 3102 were GracefulShutdown's as well.
    [LoggerMessage(EventId = 3401, Level = LogLevel.Information, Message = "Scheduling paused: {Paused} (last change by {UpdatedBy})")]
    private static partial void LogPauseChanged(ILogger logger, bool paused, string updatedBy);

    [LoggerMessage(EventId = 3402, Level = LogLevel.Warning, Message = "Reading the global settings failed; keeping the last values")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3403, Level = LogLevel.Information, Message = "Read the global settings: scheduling paused: {Paused} (last change by {UpdatedBy})")]
    private static partial void LogFirstRead(ILogger logger, bool paused, string updatedBy);

    [LoggerMessage(EventId = 3404, Level = LogLevel.Warning, Message = "Reading the global settings at start-up failed (attempt {Attempt}); retrying")]
    private static partial void LogFirstReadFailed(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(EventId = 3405, Level = LogLevel.Error, Message = "The database did not answer the read of the global settings within {Timeout} ({Attempts} attempt(s)): starting with scheduling treated as PAUSED on this silo until a read succeeds; occurrences due meanwhile are recorded skipped (reason paused)")]
    private static partial void LogFirstReadGaveUp(ILogger logger, Exception? exception, TimeSpan timeout, int attempts);
}
