using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totallator.Client;

/// <summary>
/// JSON as the admin API speaks it: camelCase names, enums as snake_case text (<c>timed_out</c>, <c>run_once</c>). The client
/// reads and writes with these options; use them too to store or print the client's types in the API's own shape.
/// </summary>
public static class TotallatorJson
{
    /// <summary>The options the client uses (read-only). Unknown fields in answers are skipped, so an older client reads a newer API.</summary>
    public static JsonSerializerOptions Options { get; } = Build();

    /// <summary>A new, modifiable copy of <see cref="Options"/>, e.g. to indent output or to refuse unknown fields.</summary>
    public static JsonSerializerOptions Create() => new(Options);

    private static JsonSerializerOptions Build()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
