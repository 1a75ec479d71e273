using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Dependencies;

/// <summary>The store's check of new upstreams, the same for both stores: a refusal names the field and what is wrong.</summary>
public static class DependencyChecks
{
    /// <summary>Throws <see cref="InvalidJobConfigurationException"/> (field <c>after</c>) for an unknown job, a duplicate or a cycle.</summary>
    public static void ThrowIfRefused(string slug, IReadOnlyList<Upstream> after, IEnumerable<DependencyNode> graph, Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var edges = graph.ToDictionary(n => n.Slug, n => (IReadOnlyList<string>)n.After.Select(u => u.Slug).ToList(), StringComparer.Ordinal);
        if (DependencyGraph.Check(slug, after, edges, exists) is { } refusal)
        {
            throw new InvalidJobConfigurationException(refusal) { Field = "after" };
        }
    }
}
