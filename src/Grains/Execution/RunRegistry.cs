using System.Collections.Concurrent;

namespace Totallator.Grains.Execution;

/// <summary>
/// Every occurrence running on this silo. The lease renewer extends their leases in one statement, and graceful shutdown
/// waits for them, then cancels what is left.
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

    public IReadOnlyList<Guid> RunningExecutionIds() => _runs.Keys.Select(r => r.CurrentExecutionId).ToList();

    public void BeginStopping() => _stopping = true;
}
