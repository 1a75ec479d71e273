using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Admin;

public sealed partial class SchedulerSettingsGrain
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Global settings changed by {Actor}: {Keys}")]
    private static partial void LogSettingsChanged(ILogger logger, string actor, string keys);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "History cleanup by {Actor}: deleted {Count} execution(s) older than {Days} days and {AuditCount} audit row(s) older than {AuditDays} days")]
    private static partial void LogCleanedUp(ILogger logger, string actor, int count, int days, int auditCount, int auditDays);
}
