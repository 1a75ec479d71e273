using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Totallator.Grains.Jobs.Command;

/// <summary>
/// Runs one external command the way a cron job should: the executable directly (no shell), stdin empty, stdout and stderr captured
/// together into a bounded buffer, its resources sampled, and on cancellation the whole process tree killed. Shared by
/// <see cref="CommandJob"/> and the built-in jobs that wrap a tool (pg_dump).
/// </summary>
/// <remarks>
/// Awaits use <c>ConfigureAwait(false)</c>: nothing here touches grain state, and pumping output or sampling must not queue behind
/// (or hold up) the turns of a grain that happens to await the job.
/// </remarks>
internal static partial class CommandRunner
{
    /// <summary>Often enough that a command of a few hundred milliseconds gets CPU samples, rarely enough to cost nothing.</summary>
    internal static readonly TimeSpan SampleInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long output is still read after the command exited. A background process it started (<c>cmd &amp;</c>) inherits the
    /// pipes and may hold them open for hours; the run must not wait for it.
    /// </summary>
    internal static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait for the killed process to be reaped; SIGKILL cannot be caught, so this only guards against a stuck kernel.</summary>
    private static readonly TimeSpan KillWaitTimeout = TimeSpan.FromSeconds(10);

    private const int ReadBufferSize = 8192;

    /// <summary>
    /// Starts the command and waits for it. Returns how it ended, including when it could not be started. When
    /// <paramref name="cancellationToken"/> fires, kills the process and every descendant still attached to it, waits for the exit, and
    /// throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<CommandRunResult> RunAsync(CommandRequest request, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(logger);
        cancellationToken.ThrowIfCancellationRequested();

        using var process = new Process { StartInfo = CreateStartInfo(request) };
        var startedAt = Stopwatch.GetTimestamp();
        // Process.ExitTime is stamped with DateTime.Now when the child is reaped, so the wall time is read on the same clock.
        var startedAtWallClock = DateTime.Now;
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            // ENOENT, EACCES, a missing working directory: the command's fault, not the scheduler's, so a failed run rather than a crash.
            LogStartFailed(logger, request.FileName, ex.Message);
            return new CommandRunResult { StartError = $"Command '{request.FileName}' could not be started: {ex.Message}" };
        }
        try
        {
            return await WaitAsync(process, request, (startedAt, startedAtWallClock), logger, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Only does something when the wait itself failed unexpectedly: a command must never outlive its run.
            KillIfRunning(process);
        }
    }

    private static async Task<CommandRunResult> WaitAsync(Process process, CommandRequest request,
        (long Timestamp, DateTime WallClock) startedAt, ILogger logger, CancellationToken cancellationToken)
    {
        var processId = process.Id;
        LogStarted(logger, request.FileName, processId, request.Arguments.Count);

        // Closed at once so a command that reads stdin sees end-of-file instead of waiting for input that never comes.
        process.StandardInput.Close();

        var output = new BoundedOutputBuffer(request.MaxOutputBytes);
        using var drain = new CancellationTokenSource();
        var stdout = PumpAsync(process.StandardOutput.BaseStream, output, drain.Token);
        var stderr = PumpAsync(process.StandardError.BaseStream, output, drain.Token);
        var sampler = new ProcessResourceSampler(process);
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler.RunAsync(SampleInterval, stopSampling.Token);

        var cancelled = false;
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            cancelled = true;
            await KillAsync(process, request.FileName, logger).ConfigureAwait(false);
        }
        var elapsed = MeasureElapsed(process, startedAt);
        await stopSampling.CancelAsync().ConfigureAwait(false);
        await sampling.ConfigureAwait(false);

        drain.CancelAfter(DrainTimeout);
        var drained = await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        if (cancelled)
        {
            LogKilled(logger, request.FileName, processId, (long)elapsed.TotalMilliseconds);
            throw new OperationCanceledException($"Command '{request.FileName}' was cancelled and killed.", cancellationToken);
        }

        var text = output.ToString();
        if (!drained.All(d => d))
        {
            LogOutputNotDrained(logger, request.FileName, processId, (long)DrainTimeout.TotalMilliseconds);
            text += "\n[output capture stopped: a background process started by the command still holds its output open]\n";
        }
        var exitCode = process.ExitCode;
        var peakMemoryMb = sampler.PeakResidentBytes is { } bytes ? Math.Round(bytes / (1024.0 * 1024.0), 2) : (double?)null;
        var cpuPercent = sampler.CpuTime is { } cpu && elapsed > TimeSpan.Zero
            ? Math.Round(cpu.TotalMilliseconds / elapsed.TotalMilliseconds * 100, 2)
            : (double?)null;
        LogExited(logger, request.FileName, processId, exitCode, (long)elapsed.TotalMilliseconds, peakMemoryMb, cpuPercent);
        return new CommandRunResult
        {
            ExitCode = exitCode,
            Output = text,
            OutputBytes = output.TotalBytes,
            Elapsed = elapsed,
            PeakMemoryMb = peakMemoryMb,
            CpuUsagePercent = cpuPercent,
        };
    }

    /// <summary>
    /// Start to exit. Read from the exit time that .NET records when it reaps the child, because the continuation after the exit can
    /// run late when the thread pool is busy, and a late reading would understate the CPU percentage. The stopwatch bounds it, in case
    /// the wall clock was changed meanwhile.
    /// </summary>
    private static TimeSpan MeasureElapsed(Process process, (long Timestamp, DateTime WallClock) startedAt)
    {
        var measured = Stopwatch.GetElapsedTime(startedAt.Timestamp);
        try
        {
            var exact = process.ExitTime - startedAt.WallClock;
            return exact > TimeSpan.Zero && exact < measured ? exact : measured;
        }
        catch (InvalidOperationException)
        {
            // Not reaped (a kill that timed out).
            return measured;
        }
    }

    private static ProcessStartInfo CreateStartInfo(CommandRequest request)
    {
        var startInfo = new ProcessStartInfo(request.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
            WorkingDirectory = request.WorkingDirectory ?? "",
        };
        // ArgumentList, not Arguments: each element reaches the program as one argv entry, with no quoting rules to get wrong.
        foreach (var argument in request.Arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        // Starts from the silo's environment; cleared so the child gets exactly the request's, never the silo's secrets.
        startInfo.Environment.Clear();
        foreach (var (name, value) in request.Environment)
        {
            startInfo.Environment[name] = value;
        }
        return startInfo;
    }

    /// <summary>Copies a pipe into the buffer until end-of-file; false when it was cut off by <paramref name="cancellationToken"/>.</summary>
    private static async Task<bool> PumpAsync(Stream stream, BoundedOutputBuffer output, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(0, ReadBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                output.Append(buffer.AsSpan(0, read));
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void KillIfRunning(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or AggregateException)
        {
            // Already gone, or nothing more can be done from here.
        }
    }

    private static async Task KillAsync(Process process, string command, ILogger logger)
    {
        try
        {
            // The whole tree: a shell's children (and theirs) would otherwise outlive the timeout. Processes that detached
            // themselves (double fork, setsid) are no longer in the tree and are out of reach.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own just before the kill.
        }
        catch (Exception ex) when (ex is Win32Exception or AggregateException)
        {
            LogKillFailed(logger, ex, command, process.Id);
        }
        try
        {
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(KillWaitTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            LogKillFailed(logger, ex, command, process.Id);
        }
    }
}
