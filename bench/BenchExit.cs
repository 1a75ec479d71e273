using System.Runtime.InteropServices;

namespace Totallator.Bench;

/// <summary>
/// The shell the drivers (the configurations, <c>--compare</c>, <c>livefeed</c>) run in: Ctrl+C or SIGTERM cancels the run once (a second
/// one leaves at once), every child process is killed at exit however the run ends, and the exit code says how it ended:
/// the body's own, 1 for a <see cref="BenchException"/>, 130 when interrupted.
/// </summary>
public static class BenchExit
{
    /// <param name="scope">The progress scope of the messages.</param>
    /// <param name="children">What the child processes are called in them ("silos", "nodes").</param>
    /// <param name="body">The run, given the token that an interruption cancels.</param>
    public static async Task<int> RunAsync(string scope, string children, Func<CancellationToken, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Interrupt(c, stop, scope, children));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Interrupt(c, stop, scope, children));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => SiloProcess.KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => SiloProcess.KillAll();
        try
        {
            return await body(stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Progress.Log(scope, $"interrupted; {children} killed and databases dropped");
            return 130;
        }
        catch (BenchException ex)
        {
            Progress.Log(scope, "error: " + ex.Message);
            return 1;
        }
        finally
        {
            SiloProcess.KillAll();
        }
    }

    private static void Interrupt(PosixSignalContext context, CancellationTokenSource stop, string scope, string children)
    {
        if (stop.IsCancellationRequested)
        {
            // Second Ctrl+C: leave now (children go with ProcessExit, or notice the driver is gone).
            return;
        }
        context.Cancel = true;
        Progress.Log(scope, $"{context.Signal}: stopping; killing {children} and dropping databases (Ctrl+C again to leave at once)");
        stop.Cancel();
    }
}
