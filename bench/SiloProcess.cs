using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Totallator.Bench;

/// <summary>
/// One silo child process (this executable in its silo role). stdout carries only <c>READY</c>; everything else the silo writes
/// goes to a log file. Killing it is SIGKILL: no shutdown code runs. Every live silo is known to <see cref="KillAll"/>, which
/// the driver calls on Ctrl+C and at exit.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int EchoedEntries = 3;
    private static readonly ConcurrentDictionary<SiloProcess, byte> _live = new();

    /// <summary>Expected warnings, kept in the log but not echoed: they say nothing about this run.</summary>
    private static readonly string[] _expectedWarnings =
    [
        // The heartbeat is below Orleans' 1-minute reminder floor on purpose (SchedulerOptions.HeartbeatPeriod).
        "warn: Orleans.Hosting.ReminderOptionsValidator",
        // Orleans' watchdog reports the machine's uptime on its first check after start.
        "warn: Orleans.Runtime.Watchdog",
    ];

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _tail = new();
    private int _stderrLines;
    private int _echoedEntries;
    private int _echoedLinesOfEntry;
    private bool _echoing;

    private SiloProcess(Process process, string label, int port, string logPath)
    {
        _process = process;
        Label = label;
        Port = port;
        LogPath = logPath;
        _log = new StreamWriter(logPath) { AutoFlush = true };
    }

    public string Label { get; }
    public int Port { get; }
    public string LogPath { get; }
    public int Pid { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset? ReadyAt { get; private set; }
    public bool HasExited => _process.HasExited;
    /// <summary>Lines the silo wrote to stderr (its warnings and errors).</summary>
    public int StderrLines => Volatile.Read(ref _stderrLines);

    public static SiloProcess Start(SiloArguments args, IReadOnlyDictionary<string, string> environment, string logDirectory)
    {
        ArgumentNullException.ThrowIfNull(args);
        return StartRole(args.ToArgs(), string.Create(CultureInfo.InvariantCulture, $"silo:{args.Port}"), args.Port, environment,
            Path.Combine(logDirectory, string.Create(CultureInfo.InvariantCulture, $"{args.Cluster}-silo-{args.Port}.log")));
    }

    /// <summary>
    /// Starts this executable in any child role (<paramref name="roleArgs"/> begin with the role's verb), e.g. a Quartz or Hangfire
    /// node of --compare: the same READY handshake, log file and kill as a silo. <paramref name="port"/> is only a label for roles
    /// that listen on none.
    /// </summary>
    public static SiloProcess StartRole(IEnumerable<string> roleArgs, string label, int port, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        ArgumentNullException.ThrowIfNull(roleArgs);
        ArgumentNullException.ThrowIfNull(environment);
        var (executable, prefix) = SelfCommand();
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in prefix.Concat(roleArgs))
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        var silo = new SiloProcess(new Process { StartInfo = info }, label, port, logPath);
        silo._process.OutputDataReceived += (_, e) => silo.OnStdout(e.Data);
        silo._process.ErrorDataReceived += (_, e) => silo.OnStderr(e.Data);
        silo.StartedAt = DateTimeOffset.UtcNow;
        silo._process.Start();
        silo.Pid = silo._process.Id;
        _live[silo] = 0;
        silo._process.BeginOutputReadLine();
        silo._process.BeginErrorReadLine();
        return silo;
    }

    /// <summary>Waits for READY; throws with the tail of the silo's output when it exits or times out first.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var exited = _process.WaitForExitAsync(cancellationToken);
        var finished = await Task.WhenAny(_ready.Task, exited, Task.Delay(timeout, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        if (finished == _ready.Task)
        {
            return;
        }
        var what = finished == exited
            ? string.Create(CultureInfo.InvariantCulture, $"exited with code {_process.ExitCode} before it was ready")
            : string.Create(CultureInfo.InvariantCulture, $"was not ready within {timeout.TotalSeconds:0} s");
        throw new BenchException($"{Label} (pid {Pid}) {what}. Last lines of its output ({LogPath}):\n{Tail()}");
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>Kills every silo still running: the last line of defence on Ctrl+C, exceptions and exit.</summary>
    public static void KillAll()
    {
        foreach (var silo in _live.Keys)
        {
            silo.Kill();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _live.TryRemove(this, out _);
        _process.Dispose();
        lock (_tail)
        {
            _log.Dispose();
        }
        await Task.CompletedTask;
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            return;
        }
        if (line == ReadySignal.Line)
        {
            ReadyAt = DateTimeOffset.UtcNow;
            _ready.TrySetResult();
        }
        Write(line);
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }
        Interlocked.Increment(ref _stderrLines);
        // A log entry is a header line ("warn: Category[id]") and indented lines under it: echo the first lines of the first few
        // unexpected entries (stderr events arrive one at a time, so these fields need no lock).
        if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
        {
            _echoing = !_expectedWarnings.Any(w => line.StartsWith(w, StringComparison.Ordinal)) && ++_echoedEntries <= EchoedEntries;
            _echoedLinesOfEntry = 0;
        }
        if (_echoing && ++_echoedLinesOfEntry <= 3)
        {
            Progress.Log(Label, "stderr: " + line);
        }
        Write(line);
    }

    private void Write(string line)
    {
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // The process wrote after we disposed the log: nothing to keep.
            }
        }
    }

    private string Tail()
    {
        lock (_tail)
        {
            return string.Join('\n', _tail);
        }
    }

    /// <summary>How to start this executable again: its apphost, or <c>dotnet Totallator.Bench.dll</c> when run through dotnet.</summary>
    private static (string Executable, string[] Prefix) SelfCommand()
    {
        var path = Environment.ProcessPath ?? throw new BenchException("Cannot tell the path of this executable to start silos from it.");
        return Path.GetFileNameWithoutExtension(path) == "dotnet"
            ? (path, [typeof(SiloProcess).Assembly.Location])
            : (path, []);
    }
}
