using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;

namespace Totallator.Grains.Jobs.Command;

/// <summary>
/// Samples a running process's peak resident set and CPU time. Sampling, because neither can be read once the process has exited:
/// .NET reaps it at once, and <see cref="Process.TotalProcessorTime"/> throws afterwards. CPU used after the last sample is lost, so
/// the figure slightly under-reports for short commands.
/// </summary>
/// <remarks>Measures the started process only, not its children: for <c>/bin/sh -c 'a; b'</c> that is the shell.</remarks>
internal sealed class ProcessResourceSampler(Process process)
{
    private readonly string _statusPath = $"/proc/{process.Id}/status";

    /// <summary>Largest peak resident set seen, in bytes.</summary>
    public long? PeakResidentBytes { get; private set; }

    /// <summary>Latest CPU time (user + system) seen.</summary>
    public TimeSpan? CpuTime { get; private set; }

    /// <summary>Samples once at once, then every <paramref name="interval"/> until <paramref name="cancellationToken"/> fires.</summary>
    /// <remarks>
    /// On a thread of its own rather than a timer: a timer tick needs a free thread-pool thread, and when the pool is starved (a busy
    /// silo, a test host) ticks come late or not at all, and with them go the CPU samples. One mostly sleeping thread per running
    /// command is cheap next to the command itself.
    /// </remarks>
    public Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                Sample();
                while (!cancellationToken.WaitHandle.WaitOne(interval))
                {
                    Sample();
                }
                completion.SetResult();
            }
            catch (Exception)
            {
                // Sample() handles what a vanishing process throws. Anything else must neither crash the silo (this is a thread of
                // its own) nor fail a command that may not be safe to retry: the figures stay as last sampled.
                completion.SetResult();
            }
        })
        {
            IsBackground = true,
            Name = "Totallator command sampler",
        };
        thread.Start();
        return completion.Task;
    }

    public void Sample()
    {
        if (ReadPeakResidentBytes() is { } peak && peak > (PeakResidentBytes ?? 0))
        {
            PeakResidentBytes = peak;
        }
        try
        {
            var cpu = process.TotalProcessorTime;
            if (cpu > (CpuTime ?? TimeSpan.Zero))
            {
                CpuTime = cpu;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // Exited (or exiting) between two samples.
        }
    }

    private long? ReadPeakResidentBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            try
            {
                process.Refresh();
                return process.PeakWorkingSet64;
            }
            catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
            {
                return null;
            }
        }
        try
        {
            // VmHWM is the kernel's own high-water mark of the resident set, so a peak between two samples is not missed.
            foreach (var line in File.ReadLines(_statusPath))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var value = line.AsSpan("VmHWM:".Length).Trim();
                    if (value.EndsWith(" kB", StringComparison.Ordinal)
                        && long.TryParse(value[..^3], NumberStyles.None, CultureInfo.InvariantCulture, out var kilobytes))
                    {
                        return kilobytes * 1024;
                    }
                }
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
