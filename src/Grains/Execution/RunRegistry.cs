using System.Collections.Concurrent;

namespace Totallator.Grains.Execution;

/// <summary>
/// Every occurrence running on this silo. The lease maintenance extends their leases in one statement (and records the starts
/// of runs claimed ahead that last), and graceful shutdown waits for them, then cancels what is left.
/// </summary>
public sealed class RunRegistry
{
    private readonly ConcurrentDictionary<ActiveRun, byte> _runs = new();
    private volatile bool _stopping;

    /// <summary>True once the silo began a graceful shutdown: no new occurrence starts here.</summary>
    public bool IsStopping => _stopping;

    public int Count => _runs.Count;

    public void Add(ActiveRun run) => _runs.TryAdd(run, 0);

    public void Remove(ActiveRun run) => _runs.TryRemove(run, out _);

    public IReadOnlyList<ActiveRun> Snapshot() => _runs.Keys.ToList();

    /// <summary>Runs claimed ahead that started before <paramref name="startedBefore"/> and whose start is not recorded yet.</summary>
    public IReadOnlyList<(ActiveRun Run, DateTimeOffset StartedAt)> UnrecordedStarts(DateTimeOffset startedBefore)
    {
        var starts = new List<(ActiveRun, DateTimeOffset)>();
        foreach (var run in _runs.Keys)
        {
            if (run.UnrecordedStart is { } startedAt && startedAt < startedBefore)
            {
                starts.Add((run, startedAt));
            }
        }
        return starts;
    }

    public void BeginStopping() => _stopping = true;
}
