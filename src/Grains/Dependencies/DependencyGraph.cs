using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Dependencies;

/// <summary>
/// The jobs' dependency edges as a graph: checks that a job's new upstreams name jobs that exist and close no cycle. Pure: the
/// callers read the graph (and hold the lock that keeps it still, <see cref="Storage.IJobStore.UpdateJobAsync"/>).
/// </summary>
public static class DependencyGraph
{
    /// <summary>Most upstreams one job may have.</summary>
    public const int MaxUpstreams = 32;

    /// <summary>
    /// Why <paramref name="slug"/> may not have <paramref name="upstreams"/>, or null when it may. <paramref name="edges"/>: every
    /// job's upstream slugs (the job's own current ones are replaced); <paramref name="exists"/>: whether a slug names a job.
    /// </summary>
    public static string? Check(string slug, IReadOnlyList<Upstream> upstreams, IReadOnlyDictionary<string, IReadOnlyList<string>> edges,
        Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(upstreams);
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(exists);
        if (upstreams.Count > MaxUpstreams)
        {
            return $"A job may run after at most {MaxUpstreams} jobs; got {upstreams.Count}.";
        }
        if (upstreams.GroupBy(u => u.Slug, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return $"'{twice.Key}' is named twice; give each upstream job once, with one condition.";
        }
        if (upstreams.FirstOrDefault(u => u.Slug == slug) is not null)
        {
            return $"'{slug}' cannot run after itself.";
        }
        if (upstreams.FirstOrDefault(u => !exists(u.Slug)) is { } unknown)
        {
            return $"There is no job '{unknown.Slug}' to run after.";
        }
        var graph = edges.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        graph[slug] = upstreams.Select(u => u.Slug).ToList();
        return FindCycle(graph, slug) is { } cycle
            ? $"Running '{slug}' after {string.Join(", ", upstreams.Select(u => $"'{u.Slug}'"))} would make a cycle: {string.Join(" → ", cycle)}."
            : null;
    }

    /// <summary>
    /// A cycle through <paramref name="start"/> in <paramref name="upstreamsOf"/> (job → the jobs it runs after), written in the
    /// order jobs would run (<c>a → b → a</c>: b runs after a, a after b); null when there is none.
    /// </summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, IReadOnlyList<string>> upstreamsOf, string start)
    {
        ArgumentNullException.ThrowIfNull(upstreamsOf);
        // Depth-first along upstream edges from start; a path that comes back to start is the cycle.
        var visited = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string> { start };
        return Walk(start);

        IReadOnlyList<string>? Walk(string node)
        {
            foreach (var up in upstreamsOf.GetValueOrDefault(node) ?? [])
            {
                if (up == start)
                {
                    // path: start ← ... ← node ← start; in run order, reversed.
                    var cycle = new List<string>(path) { start };
                    cycle.Reverse();
                    return cycle;
                }
                if (!visited.Add(up))
                {
                    continue;
                }
                path.Add(up);
                if (Walk(up) is { } found)
                {
                    return found;
                }
                path.RemoveAt(path.Count - 1);
            }
            return null;
        }
    }

    /// <summary>The first cycle among <paramref name="upstreamsOf"/>, or null (for definitions checked at start-up).</summary>
    public static IReadOnlyList<string>? FindAnyCycle(IReadOnlyDictionary<string, IReadOnlyList<string>> upstreamsOf)
    {
        ArgumentNullException.ThrowIfNull(upstreamsOf);
        return upstreamsOf.Keys.Order(StringComparer.Ordinal).Select(s => FindCycle(upstreamsOf, s)).FirstOrDefault(c => c is not null);
    }
}
