using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Totallator.Bench;

/// <summary>What the figures were measured on: printed with every result.</summary>
public sealed record MachineInfo(int Cores, double MemoryGb, string CpuModel, string Os, string Dotnet, string PostgreSql, string Commit, DateTimeOffset Date)
{
    public static MachineInfo Describe(string postgresVersion) => new(
        Environment.ProcessorCount,
        MemTotalGb(),
        ReadCpuModel(),
        RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        postgresVersion,
        GitCommit(),
        DateTimeOffset.UtcNow);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Cores} cores ({CpuModel}), {MemoryGb:0.0} GB RAM, {Os}, {Dotnet}, PostgreSQL {PostgreSql}, commit {Commit}, {Date:yyyy-MM-dd HH:mm} UTC");

    private static double MemTotalGb()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb)
            ? Math.Round(kb / 1024.0 / 1024.0, 1)
            : 0;
    }

    private static string ReadCpuModel() =>
        ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];

    /// <summary><c>git rev-parse --short HEAD</c>, with <c>+dirty</c> when tracked files have uncommitted changes; "unknown" outside a repository.</summary>
    private static string GitCommit()
    {
        var commit = Git("rev-parse --short HEAD");
        if (commit is null)
        {
            return "unknown";
        }
        return Git("status --porcelain --untracked-files=no") is { Length: > 0 } ? commit + "+dirty" : commit;
    }

    private static string? Git(string arguments)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", arguments)
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            });
            if (git is null)
            {
                return null;
            }
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5_000);
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git on this machine.
            return null;
        }
    }
}
