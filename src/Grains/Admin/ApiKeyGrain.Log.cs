using Microsoft.Extensions.Logging;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Admin;

public sealed partial class ApiKeyGrain
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Information, Message = "API key {Name} ({Role}) created by {Actor}")]
    private static partial void LogCreated(ILogger logger, string name, AdminRole role, string actor);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information, Message = "API key {KeyId} revoked by {Actor}")]
    private static partial void LogRevoked(ILogger logger, Guid keyId, string actor);
}
