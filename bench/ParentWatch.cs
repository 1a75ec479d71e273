using System.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace Totallator.Bench;

/// <summary>
/// Kills this silo when the driver that started it is gone (e.g. the driver was killed with SIGKILL and could not clean up),
/// so no orphaned silo keeps loading the machine.
/// </summary>
public sealed class ParentWatch(ParentWatch.Parent parent) : BackgroundService
{
    public sealed record Parent(int Pid);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!IsAlive(parent.Pid))
            {
                await Console.Error.WriteLineAsync($"silo role: driver process {parent.Pid} is gone; exiting.");
                using var self = Process.GetCurrentProcess();
                self.Kill();
            }
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
