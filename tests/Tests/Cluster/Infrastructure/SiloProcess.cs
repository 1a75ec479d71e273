using System.Diagnostics;
using System.Text;

namespace Totallator.Tests.Cluster.Infrastructure;

/// <summary>
/// A real silo process (the shipped Totallator.Silo, started with <c>dotnet</c>), configured only through environment variables
/// as an operator would. Killing it is a real SIGKILL: no shutdown code runs.
/// </summary>
public sealed class SiloProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private bool _disposed;

    private SiloProcess(Process process, int siloPort)
    {
        _process = process;
        SiloPort = siloPort;
    }

    public int SiloPort { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>A test's failure with the last 6,000 characters of each silo's log appended, to see what the silos did.</summary>
    public static InvalidOperationException FailureWithLogs(Exception failure, params SiloProcess[] silos)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var logs = silos.Select(s => $"\n--- silo {s.SiloPort} ---\n{(s.Log.Length <= 6000 ? s.Log : s.Log[^6000..])}");
        return new InvalidOperationException(failure.Message + string.Concat(logs), failure);
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts a silo on a silo port and a gateway port the OS says are free.</summary>
    public static SiloProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var ports = Tests.Infrastructure.FreePorts.Many(2);
        return Start(ports[0], ports[1], environment);
    }

    public static SiloProcess Start(int siloPort, int gatewayPort, IReadOnlyDictionary<string, string> environment)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Totallator.Silo.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["Orleans__SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Orleans__GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["Urls"] = "http://127.0.0.1:0";
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var process = new Process { StartInfo = info };
        var silo = new SiloProcess(process, siloPort);
        process.OutputDataReceived += (_, e) => silo.Append(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return silo;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>
    /// Waits until the silo is active in the cluster: the scheduler's start-up sync logs "Synced" at the stage after Active.
    /// (Orleans' own "Started silo" comes before the silo has joined.)
    /// </summary>
    public async Task WaitStartedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Log.Contains("Synced ", StringComparison.Ordinal))
            {
                return;
            }
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Silo on port {SiloPort} exited with {_process.ExitCode}:\n{Log}");
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Silo on port {SiloPort} did not start within {timeout}:\n{Log}");
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
