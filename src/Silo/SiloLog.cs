namespace Totallator.Silo;

internal static partial class SiloLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Totallator silo starting in {Mode} mode")]
    public static partial void Starting(ILogger logger, string mode);
}
