using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;

namespace Totallator.Tests.Unit.Jobs;

/// <summary>What the scheduler would hand a job for one attempt, built by hand.</summary>
internal static class TestJobContext
{
    private static readonly IServiceProvider EmptyServices = new ServiceCollection().BuildServiceProvider();

    public static CronJobContext Create(ILogger? logger = null, CancellationToken cancellationToken = default) => new()
    {
        JobSlug = "test-job",
        ExecutionId = Guid.NewGuid(),
        OccurrenceKey = "m:" + Guid.NewGuid(),
        ScheduledFor = DateTimeOffset.UnixEpoch,
        TriggeredBy = TriggerSource.Manual,
        RetryCount = 0,
        CancellationToken = cancellationToken,
        Logger = logger ?? new ListLogger(),
        Services = EmptyServices,
    };
}

/// <summary>A logger that keeps every formatted message (and exception), so tests can check what reached the logs.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} {exception}");
}

/// <summary>A fresh directory under the system temp directory, deleted with everything in it on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "totallator-jobs-" + Guid.NewGuid().ToString("N"));

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}

/// <summary>Whether a process still runs, as the kernel sees it.</summary>
internal static class ProcFs
{
    /// <summary>
    /// True while <c>/proc/&lt;pid&gt;</c> exists and is not a zombie. A zombie is dead (only its exit status is left), and a killed
    /// grandchild stays one here when the container's init does not reap orphans.
    /// </summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Format: "pid (comm) S ..."; comm may contain spaces and parentheses, so read the state after the last ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }

    public static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50);
        }
        return true;
    }
}
