namespace Totallator.Grains.Jobs.Command;

/// <summary>Stable event ids of command runs, so log queries survive message rewording.</summary>
internal enum CommandJobEventCode
{
    Started = 5100,
    Exited = 5101,
    StartFailed = 5102,
    Killed = 5103,
    KillFailed = 5104,
    OutputNotDrained = 5105,
}
