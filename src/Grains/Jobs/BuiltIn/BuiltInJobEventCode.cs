namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>Stable event ids of the built-in jobs, so log queries survive message rewording.</summary>
internal enum BuiltInJobEventCode
{
    BackupWritten = 3200,
    BackupFailed = 3201,
    BackupDeleted = 3202,
    BackupDeleteFailed = 3203,
    IntegrityBaselineCreated = 3300,
    IntegrityUnchanged = 3301,
    IntegrityChanged = 3302,
    IntegrityNotHashed = 3303,
}
