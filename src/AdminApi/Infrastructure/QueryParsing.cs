using System.Globalization;
using System.Text.Json;

namespace Totallator.AdminApi.Infrastructure;

/// <summary>Reads query-string filters, collecting one clear message per bad parameter instead of failing on the first.</summary>
public sealed class QueryParsing(HttpRequest request)
{
    public Dictionary<string, string[]> Errors { get; } = [];

    public int Number(string name, int fallback, int min, int max)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        Errors[name] = [$"{name} must be a whole number from {min} to {max}; got '{Shorten(text)}'."];
        return fallback;
    }

    public DateTimeOffset? Instant(string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }
        Errors[name] = [$"{name} must be an ISO 8601 time such as 2026-11-26T10:00:00Z; got '{Shorten(text)}'."];
        return null;
    }

    public string? Text(string name, int maxLength)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        if (text.Length <= maxLength)
        {
            return text;
        }
        Errors[name] = [$"{name} may have at most {maxLength} characters."];
        return null;
    }

    /// <summary><c>true</c> or <c>false</c>; null when absent.</summary>
    public bool? Flag(string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        if (bool.TryParse(text, out var value))
        {
            return value;
        }
        Errors[name] = [$"{name} must be true or false; got '{Shorten(text)}'."];
        return null;
    }

    /// <summary>Enum values by their JSON names (snake_case), comma-separated or repeated: <c>status=failed,timed_out</c>.</summary>
    public IReadOnlyList<T>? Enums<T>(string name) where T : struct, Enum
    {
        var parts = request.Query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (parts.Count == 0)
        {
            return null;
        }
        var known = Enum.GetValues<T>().ToDictionary(v => JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString()), StringComparer.OrdinalIgnoreCase);
        var bad = parts.Where(p => !known.ContainsKey(p)).ToList();
        if (bad.Count > 0)
        {
            Errors[name] = [$"Unknown {name} '{Shorten(bad[0])}'; use one of {string.Join(", ", known.Keys)}."];
            return null;
        }
        return parts.Select(p => known[p]).Distinct().ToList();
    }

    /// <summary>One enum value by its JSON name (snake_case); null when absent.</summary>
    public T? OneEnum<T>(string name) where T : struct, Enum
    {
        if (request.Query[name].Count > 1 || request.Query[name].ToString().Contains(',', StringComparison.Ordinal))
        {
            Errors[name] = [$"{name} takes one value."];
            return null;
        }
        return Enums<T>(name) is [var value] ? value : null;
    }

    /// <summary>One of the given words (case-sensitive, as written in the docs); null when absent.</summary>
    public string? OneOf(string name, params string[] allowed)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        if (allowed.Contains(text, StringComparer.Ordinal))
        {
            return text;
        }
        Errors[name] = [$"Unknown {name} '{Shorten(text)}'; use one of {string.Join(", ", allowed)}."];
        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
