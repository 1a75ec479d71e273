using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Totallator.Cli;

/// <summary>Arguments and options more than one command takes, and parsing of values in the API's words.</summary>
internal static class Arguments
{
    public static Argument<string> Slug() => new("slug") { Description = "The job's slug (its address: lower-case letters, digits and dashes)." };

    public static Argument<Guid> ExecutionId() => new("execution-id") { Description = "The execution's id (a GUID, as 'jobs history' and 'jobs trigger' print it)." };

    public static Option<int> Limit(int fallback, int max) => new("--limit", "-n")
    {
        Description = $"How many rows (1-{max}).", DefaultValueFactory = _ => fallback,
    };

    /// <summary>Values of an enum by the API's names (<c>timed_out</c>), comma-separated or repeated.</summary>
    public static IReadOnlyList<T>? Enums<T>(string option, string[]? values) where T : struct, Enum
    {
        var parts = (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (parts.Count == 0)
        {
            return null;
        }
        var known = Enum.GetValues<T>().ToDictionary(v => Format.Name(v), StringComparer.OrdinalIgnoreCase);
        return [.. parts.Select(p => known.TryGetValue(p.Replace('-', '_'), out var value) ? value
            : throw new UsageException($"Unknown {option} '{p}'; use one of {string.Join(", ", known.Keys)}."))];
    }

    /// <summary>A duration: seconds (<c>90</c>) or with a unit (<c>90s</c>, <c>10m</c>, <c>2h</c>).</summary>
    public static TimeSpan? Duration(string option, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var value = text.Trim();
        var (number, unit) = char.IsLetter(value[^1]) ? (value[..^1], value[^1]) : (value, 's');
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
        {
            throw new UsageException($"{option} must be a positive duration such as 90, 90s, 10m or 2h; got '{text}'.");
        }
        return char.ToLowerInvariant(unit) switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => throw new UsageException($"{option} takes s, m or h as its unit; got '{text}'."),
        };
    }

    /// <summary>An instant: ISO 8601 (<c>2026-11-26T10:00:00Z</c>) or a duration back from now (<c>2h</c>: two hours ago).</summary>
    public static DateTimeOffset? Since(string option, string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at;
        }
        return DateTimeOffset.UtcNow - Duration(option, text);
    }

    /// <summary>Lower case without dashes or underscores: <c>history-retention-days</c> and <c>historyRetentionDays</c> alike.</summary>
    public static string Loose(string name) => name.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    public static string JsonName(string propertyName) => JsonNamingPolicy.CamelCase.ConvertName(propertyName);
}
