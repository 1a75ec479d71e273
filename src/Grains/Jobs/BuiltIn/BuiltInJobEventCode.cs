namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>Stable event ids of the built-in jobs, so log queries survive message rewording.</summary>
internal enum BuiltInJobEventCode
{
    BackupWritten = 5200,
    BackupFailed = 5201,
    BackupDeleted = 5202,
    BackupDeleteFailed = 5203,
    IntegrityBaselineCreated = 5300,
    IntegrityUnchanged = 5301,
    IntegrityChanged = 5302,
    IntegrityNotHashed = 5303,
}
