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
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        Sample();
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // The process has exited; the last sample stands.
        }
    }

    public System.Collections.Concurrent.ConcurrentQueue<string> Debug { get; } = new();
    public void Sample()
    {
        Debug.Enqueue($"{DateTime.UtcNow:ss.fff} sample");
        var sw0 = System.Diagnostics.Stopwatch.StartNew();
        var pk = ReadPeakResidentBytes();
        Debug.Enqueue($"status {sw0.ElapsedMilliseconds}ms");
        if (pk is { } peak && peak > (PeakResidentBytes ?? 0))
        {
            PeakResidentBytes = peak;
        }
        try
        {
            sw0.Restart();
            var cpu = process.TotalProcessorTime;
            Debug.Enqueue($"cpu {sw0.ElapsedMilliseconds}ms");
            if (cpu > (CpuTime ?? TimeSpan.Zero))
            {
                CpuTime = cpu;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            Debug.Enqueue($"cpu {sw0.ElapsedMilliseconds}ms " + ex.GetType().Name);
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
