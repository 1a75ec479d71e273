using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Dependencies;

/// <summary>A job's upstreams in their one stored form: sorted by slug, so that two lists with the same edges compare equal.</summary>
public static class UpstreamList
{
    /// <summary>The list in stored order.</summary>
    public static IReadOnlyList<Upstream> Normalize(IEnumerable<Upstream> upstreams) =>
        upstreams.OrderBy(u => u.Slug, StringComparer.Ordinal).ThenBy(u => u.Condition).ToList();

    /// <summary>Reads a definition's <c>slug[:condition]</c> entries; a bad one fails the silo's start with a message naming the job.</summary>
    public static IReadOnlyList<Upstream> Parse(string slug, IEnumerable<string>? entries)
    {
        var list = new List<Upstream>();
        foreach (var entry in entries ?? [])
        {
            if (!Upstream.TryParse(entry, out var upstream, out var error))
            {
                throw new InvalidOperationException($"Job '{slug}': After: {error}");
            }
            list.Add(upstream!);
        }
        return Normalize(list);
    }

    /// <summary>The stored form (<c>cronJob.after</c>).</summary>
    public static string[] ToStored(IEnumerable<Upstream> upstreams) => Normalize(upstreams).Select(u => u.ToString()).ToArray();

    /// <summary>Reads <c>cronJob.after</c>; an entry that does not read (written by hand) is dropped rather than failing every read.</summary>
    public static IReadOnlyList<Upstream> FromStored(IEnumerable<string> stored) =>
        Normalize(stored.Select(s => Upstream.TryParse(s, out var u, out _) ? u : null).OfType<Upstream>());
}
