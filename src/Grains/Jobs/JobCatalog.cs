using System.Text.RegularExpressions;

namespace Totallator.Grains.Jobs;

/// <summary>
/// The jobs this silo can run: every <see cref="CronJobDefinition"/> registered in DI (code, configuration, built-in).
/// Checked once at start-up: a bad slug or a duplicate fails the silo with a message that names it.
/// </summary>
public sealed partial class JobCatalog
{
    private readonly Dictionary<string, CronJobDefinition> _bySlug;

    public JobCatalog(IEnumerable<CronJobDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        _bySlug = new Dictionary<string, CronJobDefinition>(StringComparer.Ordinal);
        foreach (var d in definitions)
        {
            if (!SlugPattern().IsMatch(d.Slug))
            {
                throw new InvalidOperationException($"Job slug '{d.Slug}' is invalid: use 1-63 lower-case letters, digits and dashes, starting with a letter or digit.");
            }
            if (string.IsNullOrWhiteSpace(d.Name))
            {
                throw new InvalidOperationException($"Job '{d.Slug}' has no name.");
            }
            if (new[] { ("name", d.Name), ("description", d.Description), ("schedule", d.Schedule), ("timeZone", d.TimeZone) }
                .FirstOrDefault(f => !Storage.TextSanitizer.IsStorable(f.Item2)) is { Item1: { } field })
            {
                // All definitions are written in one statement: one the database refuses would keep every job from syncing.
                throw new InvalidOperationException($"Job '{d.Slug}': its {field} holds a NUL character or half a surrogate pair, which the database cannot store.");
            }
            if (d.TimeoutMs is <= 0 || d.MaxRetries is < 0 || d.MisfireRunAllCap <= 0)
            {
                throw new InvalidOperationException($"Job '{d.Slug}': TimeoutMs and MisfireRunAllCap must be positive and MaxRetries not negative.");
            }
            if (d.After.FirstOrDefault(u => !SlugPattern().IsMatch(u.Slug)) is { } badUpstream)
            {
                throw new InvalidOperationException($"Job '{d.Slug}': After names '{badUpstream.Slug}', which is not a job slug.");
            }
            if (d.After.GroupBy(u => u.Slug, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw new InvalidOperationException($"Job '{d.Slug}': After names '{twice.Key}' twice.");
            }
            if (d.After.Any(u => u.Slug == d.Slug))
            {
                throw new InvalidOperationException($"Job '{d.Slug}': a job cannot run after itself.");
            }
            if (string.IsNullOrWhiteSpace(d.Schedule) && d.After.Count == 0)
            {
                throw new InvalidOperationException($"Job '{d.Slug}' has neither a schedule nor upstream jobs (After): it would never run.");
            }
            if (!_bySlug.TryAdd(d.Slug, d))
            {
                throw new InvalidOperationException($"Job slug '{d.Slug}' is registered twice.");
            }
        }
        var duplicateName = _bySlug.Values.GroupBy(d => d.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicateName is not null)
        {
            throw new InvalidOperationException($"Job name '{duplicateName.Key}' is used by {string.Join(" and ", duplicateName.Select(d => d.Slug))}; names must be unique.");
        }
        // Cycles among the definitions themselves; with an admin's stored edges, the start-up sync checks again (DefinitionSync).
        if (Dependencies.DependencyGraph.FindAnyCycle(_bySlug.Values.ToDictionary(d => d.Slug, d => (IReadOnlyList<string>)d.After.Select(u => u.Slug).ToList(),
                StringComparer.Ordinal)) is { } cycle)
        {
            throw new InvalidOperationException($"Job dependencies make a cycle: {string.Join(" → ", cycle)}.");
        }
    }

    public IReadOnlyCollection<CronJobDefinition> All => _bySlug.Values;

    public CronJobDefinition? Find(string slug) => _bySlug.GetValueOrDefault(slug);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    internal static partial Regex SlugPattern();
}
