namespace Totallator.Grains.Jobs.Command;

/// <summary>Stable event ids of command runs, so log queries survive message rewording.</summary>
internal enum CommandJobEventCode
{
    Started = 3100,
    Exited = 3101,
    StartFailed = 3102,
    Killed = 3103,
    KillFailed = 3104,
    OutputNotDrained = 3105,
}
