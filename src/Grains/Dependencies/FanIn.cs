using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Dependencies;

/// <summary>A signal not yet consumed: an upstream occurrence that met an edge's condition (a <c>cronJobSignal</c> row).</summary>
/// <param name="Id">The signal's own id.</param>
/// <param name="UpstreamSlug">The upstream job.</param>
/// <param name="UpstreamOccurrenceKey">The upstream occurrence that signalled.</param>
/// <param name="UpstreamExecutionId">Its final attempt.</param>
/// <param name="UpstreamStatus">That attempt's status.</param>
/// <param name="SignalledAt">When (the store's clock); orders one upstream's signals.</param>
public sealed record PendingSignal(Guid Id, string UpstreamSlug, string UpstreamOccurrenceKey, Guid UpstreamExecutionId, ExecutionStatus UpstreamStatus,
    DateTimeOffset SignalledAt);

/// <summary>What the fan-in rule makes of a job's pending signals.</summary>
/// <param name="Ready">Every upstream has signalled: one run is due.</param>
/// <param name="Signalling">When ready: per upstream, its latest signal (the run's upstream executions).</param>
/// <param name="Consumed">When ready: every pending signal, which the run consumes (earlier ones of an upstream are absorbed).</param>
/// <param name="Waiting">When not ready: the upstreams with no pending signal, in the job's order.</param>
public sealed record FanInDecision(bool Ready, IReadOnlyList<PendingSignal> Signalling, IReadOnlyList<PendingSignal> Consumed, IReadOnlyList<string> Waiting)
{
    /// <summary>
    /// The occurrence key of the run: derived from the upstream executions that signalled it, so every activation that decides on
    /// the same signals claims the same occurrence (the claim fence makes it one run).
    /// </summary>
    public string OccurrenceKey => Scheduling.OccurrenceKeys.Dependency(Signalling.Select(r => r.UpstreamExecutionId));
}

/// <summary>
/// The fan-in rule. A job with upstreams runs once every upstream has met its edge's condition since the job's last dependency
/// run: each upstream occurrence that ends (its final attempt) meeting the condition leaves one pending signal, and the run
/// consumes all of them. An upstream that signalled twice before another signalled once counts once: the run names its latest
/// signal and absorbs the earlier one. Signals from a job that is no longer an upstream are consumed with the next run and
/// signal nothing themselves.
/// </summary>
public static class FanIn
{
    public static FanInDecision Decide(IReadOnlyList<Upstream> upstreams, IReadOnlyList<PendingSignal> pending)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentNullException.ThrowIfNull(pending);
        var latest = pending
            .GroupBy(p => p.UpstreamSlug, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(p => p.SignalledAt).ThenBy(p => p.Id).Last(), StringComparer.Ordinal);
        var waiting = upstreams.Where(u => !latest.ContainsKey(u.Slug)).Select(u => u.Slug).ToList();
        if (upstreams.Count == 0 || waiting.Count > 0)
        {
            return new FanInDecision(false, [], [], waiting);
        }
        return new FanInDecision(true, upstreams.Select(u => latest[u.Slug]).ToList(), pending.OrderBy(p => p.Id).ToList(), []);
    }
}
