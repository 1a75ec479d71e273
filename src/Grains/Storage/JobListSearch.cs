using System.Text;
using System.Text.Json;

namespace Totallator.Grains.Storage;

/// <summary>What the job list's filters mean, written once for both stores.</summary>
internal static class JobListSearch
{
    /// <summary>An ILIKE pattern finding <paramref name="search"/> anywhere, its own <c>%</c>, <c>_</c> and <c>\</c> taken literally.</summary>
    public static string? Pattern(string? search)
    {
        if (string.IsNullOrEmpty(search))
        {
            return null;
        }
        var pattern = new StringBuilder("%");
        foreach (var c in search)
        {
            if (c is '%' or '_' or '\\')
            {
                pattern.Append('\\');
            }
            pattern.Append(c);
        }
        return pattern.Append('%').ToString();
    }

    /// <summary>An enum value as the API and the statements name it (snake_case).</summary>
    public static string Text<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>The stored <c>after</c> entries that name one of these jobs as an upstream, whatever the condition.</summary>
    public static string[] EdgesTo(IEnumerable<string> slugs) =>
        slugs.SelectMany(s => new[] { s + ":success", s + ":failure", s + ":completion" }).ToArray();

    /// <summary>Whether a job matches the search text, as ILIKE does (case-insensitive, anywhere).</summary>
    public static bool Matches(JobRecord job, string? search) =>
        string.IsNullOrEmpty(search)
        || job.Slug.Contains(search, StringComparison.OrdinalIgnoreCase)
        || job.Name.Contains(search, StringComparison.OrdinalIgnoreCase)
        || job.Description.Contains(search, StringComparison.OrdinalIgnoreCase);
}
