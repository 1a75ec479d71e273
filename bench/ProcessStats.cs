using System.Globalization;

namespace Totallator.Bench;

/// <summary>One reading of a process from <c>/proc</c>: CPU time so far and memory now.</summary>
public readonly record struct ProcessSample(int Pid, long CpuTicks, long RssKb, long AnonKb);

/// <summary>CPU and memory of processes from <c>/proc/&lt;pid&gt;/stat</c> and <c>/proc/&lt;pid&gt;/status</c> (Linux only; null elsewhere).</summary>
public static class ProcessStats
{
    /// <summary>USER_HZ: <c>/proc</c> reports CPU time in these ticks; it is 100 on every Linux architecture .NET runs on.</summary>
    public const double TicksPerSecond = 100;

    public static ProcessSample? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name is in parentheses and may hold spaces; the fields after it start at field 3 (state).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture); // utime + stime
            long rss = 0, anon = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Kilobytes(line);
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Kilobytes(line);
                }
            }
            return new ProcessSample(pid, ticks, rss, anon);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Gone, or not Linux.
            return null;
        }
    }

    /// <summary>Every process named <c>postgres</c> (postmaster, backends, background workers): <c>/proc/*/comm</c>.</summary>
    public static IReadOnlyList<int> PostgresPids()
    {
        if (!Directory.Exists("/proc"))
        {
            return [];
        }
        var pids = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(directory, "comm")).Trim() == "postgres")
                    {
                        pids.Add(pid);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // Exited while we looked.
                }
            }
        }
        return pids;
    }

    /// <summary>Reads every PostgreSQL process now.</summary>
    public static IReadOnlyDictionary<int, ProcessSample> SamplePostgres() =>
        PostgresPids().Select(Read).OfType<ProcessSample>().ToDictionary(s => s.Pid);

    /// <summary>CPU over a span as % of one core (so up to 100 × cores).</summary>
    public static double CpuPercent(long ticks, TimeSpan wall) =>
        wall <= TimeSpan.Zero ? 0 : ticks / TicksPerSecond / wall.TotalSeconds * 100.0;

    /// <summary>
    /// PostgreSQL's CPU between two readings: each process's last ticks minus its ticks at the start (all of them if it started
    /// meanwhile).
    /// </summary>
    public static long PostgresTicks(IReadOnlyDictionary<int, ProcessSample> start, IReadOnlyDictionary<int, ProcessSample> end)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(end);
        return end.Values.Sum(e => e.CpuTicks - (start.TryGetValue(e.Pid, out var s) ? s.CpuTicks : 0));
    }

    public static double Mb(long kilobytes) => Math.Round(kilobytes / 1024.0, 1);

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
