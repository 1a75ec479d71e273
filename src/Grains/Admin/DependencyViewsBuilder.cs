using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Admin;

/// <summary>
/// What admins see of the dependency graph around one job: its upstreams (each edge working or broken, and why) and its
/// downstreams. Built from the graph's nodes; reads nothing itself.
/// </summary>
internal sealed class DependencyViewsBuilder
{
    private readonly Dictionary<string, DependencyNode> _nodes;
    private readonly Dictionary<string, List<DownstreamView>> _downstreams;
    // Only this job's own node is known (it was read alone): its upstreams are not judged.
    private readonly bool _partial;

    public DependencyViewsBuilder(IEnumerable<DependencyNode> nodes, bool partial = false)
    {
        _partial = partial;
        _nodes = nodes.ToDictionary(n => n.Slug, StringComparer.Ordinal);
        _downstreams = _nodes.Values
            .SelectMany(n => n.After.Select(u => (Upstream: u.Slug, View: new DownstreamView(n.Slug, u.Condition))))
            .GroupBy(e => e.Upstream, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.View).OrderBy(v => v.Slug, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    /// <summary>For a list: the graph of every job.</summary>
    public static DependencyViewsBuilder FromJobs(IEnumerable<JobRecord> jobs) =>
        new(jobs.Select(j => new DependencyNode(j.Slug, j.IsEnabled, j.IsOrphaned, j.InvalidReason, j.After)));

    /// <summary>
    /// For a page of the list: its jobs and their neighbours (every upstream they name and every job that runs after one of
    /// them), so each edge of the page is judged and each downstream known, without the whole graph.
    /// </summary>
    public static DependencyViewsBuilder FromJobsAnd(IEnumerable<JobRecord> jobs, IEnumerable<DependencyNode> neighbours) =>
        new(jobs.Select(j => new DependencyNode(j.Slug, j.IsEnabled, j.IsOrphaned, j.InvalidReason, j.After))
            .Concat(neighbours).DistinctBy(n => n.Slug, StringComparer.Ordinal));

    /// <summary>For one job read without the graph: its own edges, none judged broken, no downstreams known.</summary>
    public static DependencyViewsBuilder Alone(JobRecord job) =>
        new([new DependencyNode(job.Slug, job.IsEnabled, job.IsOrphaned, job.InvalidReason, job.After)], partial: true);

    /// <summary><paramref name="signalled"/>: the upstreams with a pending signal (one job read on its own), or null.</summary>
    public IReadOnlyList<UpstreamView> UpstreamsOf(JobRecord job, IReadOnlySet<string>? signalled = null) =>
        job.After.Select(u => new UpstreamView
        {
            Slug = u.Slug, Condition = u.Condition, Broken = BrokenReason(u.Slug), Signalled = signalled?.Contains(u.Slug),
        }).ToList();

    public IReadOnlyList<DownstreamView> DownstreamsOf(string slug) => _downstreams.TryGetValue(slug, out var list) ? list : [];

    private string? BrokenReason(string upstream) => _nodes.TryGetValue(upstream, out var node) switch
    {
        false when _partial => null,
        false => $"there is no job '{upstream}'",
        true when node!.IsOrphaned => $"'{upstream}' is no longer defined in code or configuration",
        true when !node!.IsEnabled => $"'{upstream}' is disabled",
        true when node!.InvalidReason is { } reason && node.After.Count == 0 => $"'{upstream}' cannot be scheduled: {reason}",
        _ => null,
    };
}
