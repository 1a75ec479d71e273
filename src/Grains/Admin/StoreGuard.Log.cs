using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Admin;

internal static partial class StoreGuard
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "The store failed while {Operation}; the caller gets StoreUnavailableException")]
    private static partial void LogStoreUnavailable(ILogger logger, Exception exception, string operation);
}
