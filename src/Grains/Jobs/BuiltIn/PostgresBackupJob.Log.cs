using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Jobs.BuiltIn;

// No connection string or environment is ever logged here: they carry the database password.
public sealed partial class PostgresBackupJob
{
    [LoggerMessage(EventId = (int)BuiltInJobEventCode.BackupWritten, Level = LogLevel.Information,
        Message = "Database backup {FileName} written ({Bytes} bytes)")]
    private static partial void LogBackupWritten(ILogger logger, string fileName, long bytes);

    [LoggerMessage(EventId = (int)BuiltInJobEventCode.BackupFailed, Level = LogLevel.Warning,
        Message = "Database backup failed: {Reason}")]
    private static partial void LogBackupFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = (int)BuiltInJobEventCode.BackupDeleted, Level = LogLevel.Debug,
        Message = "Deleted old database backup {FileName}")]
    private static partial void LogBackupDeleted(ILogger logger, string fileName);

    [LoggerMessage(EventId = (int)BuiltInJobEventCode.BackupDeleteFailed, Level = LogLevel.Warning,
        Message = "Could not delete old database backup {FileName}; will try again on the next run")]
    private static partial void LogBackupDeleteFailed(ILogger logger, Exception exception, string fileName);
}
