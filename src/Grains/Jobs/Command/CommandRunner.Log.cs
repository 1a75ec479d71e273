using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Jobs.Command;

// Arguments and environment variables are never logged: either may carry a secret (PGPASSWORD, tokens).
internal static partial class CommandRunner
{
    [LoggerMessage(EventId = (int)CommandJobEventCode.Started, Level = LogLevel.Debug,
        Message = "Started command {Command} as pid {ProcessId} with {ArgumentCount} arguments")]
    private static partial void LogStarted(ILogger logger, string command, int processId, int argumentCount);

    [LoggerMessage(EventId = (int)CommandJobEventCode.Exited, Level = LogLevel.Debug,
        Message = "Command {Command} (pid {ProcessId}) exited with code {ExitCode} after {ElapsedMs} ms; peak memory {PeakMemoryMb} MB, CPU {CpuUsagePercent} %")]
    private static partial void LogExited(ILogger logger, string command, int processId, int exitCode, long elapsedMs, double? peakMemoryMb,
        double? cpuUsagePercent);

    [LoggerMessage(EventId = (int)CommandJobEventCode.StartFailed, Level = LogLevel.Warning,
        Message = "Command {Command} could not be started: {Reason}")]
    private static partial void LogStartFailed(ILogger logger, string command, string reason);

    [LoggerMessage(EventId = (int)CommandJobEventCode.Killed, Level = LogLevel.Information,
        Message = "Command {Command} (pid {ProcessId}) was cancelled after {ElapsedMs} ms; killed it and its child processes")]
    private static partial void LogKilled(ILogger logger, string command, int processId, long elapsedMs);

    [LoggerMessage(EventId = (int)CommandJobEventCode.KillFailed, Level = LogLevel.Warning,
        Message = "Could not kill every process of command {Command} (pid {ProcessId})")]
    private static partial void LogKillFailed(ILogger logger, Exception exception, string command, int processId);

    [LoggerMessage(EventId = (int)CommandJobEventCode.OutputNotDrained, Level = LogLevel.Warning,
        Message = "Command {Command} (pid {ProcessId}) exited but a process it left behind still holds its output; stopped reading after {DrainMs} ms")]
    private static partial void LogOutputNotDrained(ILogger logger, string command, int processId, long drainMs);
}
