using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Jobs.BuiltIn;

public sealed partial class FileIntegrityJob
{
    [LoggerMessage(EventId = (int)BuiltInJobEventCode.IntegrityBaselineCreated, Level = LogLevel.Information,
        Message = "File integrity baseline for {Directory} created: {Files} files hashed")]
    private static partial void LogBaselineCreated(ILogger logger, string directory, int files);

    [LoggerMessage(EventId = (int)BuiltInJobEventCode.IntegrityUnchanged, Level = LogLevel.Debug,
        Message = "File integrity of {Directory}: {Files} files verified, no changes")]
    private static partial void LogUnchanged(ILogger logger, string directory, int files);

    [LoggerMessage(EventId = (int)BuiltInJobEventCode.IntegrityChanged, Level = LogLevel.Warning,
        Message = "File integrity of {Directory}: {Changed} changed, {Missing} missing, {New} new")]
    private static partial void LogChanged(ILogger logger, string directory, int changed, int missing, int @new);

    [LoggerMessage(EventId = (int)BuiltInJobEventCode.IntegrityNotHashed, Level = LogLevel.Information,
        Message = "File integrity of {Directory}: {SpecialFiles} special files not opened, {LinksOutside} links leaving the directory not followed")]
    private static partial void LogNotHashed(ILogger logger, string directory, int specialFiles, int linksOutside);
}
