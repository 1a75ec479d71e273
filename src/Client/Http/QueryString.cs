using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Totallator.Client;

/// <summary>Builds a query string in the API's terms: enums by their JSON names, instants in ISO 8601, absent values left out.</summary>
internal sealed class QueryString
{
    private readonly StringBuilder _text = new();

    public QueryString Add(string name, string? value)
    {
        if (value is not null)
        {
            _text.Append(_text.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }
        return this;
    }

    public QueryString Add(string name, int? value) => Add(name, value?.ToString(CultureInfo.InvariantCulture));

    public QueryString Add(string name, bool? value) => Add(name, value is { } flag ? (flag ? "true" : "false") : null);

    public QueryString Add(string name, DateTimeOffset? value) =>
        Add(name, value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));

    public QueryString Add<T>(string name, T? value) where T : struct, Enum => Add(name, value is { } v ? Name(v) : null);

    public QueryString Add<T>(string name, IReadOnlyList<T>? values) where T : struct, Enum =>
        Add(name, values is { Count: > 0 } ? string.Join(',', values.Select(Name)) : null);

    /// <summary>An enum value as the API writes it (<c>timed_out</c>).</summary>
    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public override string ToString() => _text.ToString();
}
