using System.Globalization;
using System.Text.Json;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary>How values read to people: instants in UTC, durations in the largest unit that fits, enums as the API writes them.</summary>
internal static class Format
{
    public static string Time(DateTimeOffset? at) =>
        at?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    public static string Duration(long? ms) => ms switch
    {
        null => "-",
        < 1000 => $"{ms} ms",
        < 60_000 => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000.0:0.#} s"),
        < 3_600_000 => string.Create(CultureInfo.InvariantCulture, $"{ms / 60_000.0:0.#} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{ms / 3_600_000.0:0.#} h"),
    };

    public static string Percent(double? share) => share is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s * 100:0.#}%") : "-";

    public static string Name<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A job's state in one word, as the job list's filter names them.</summary>
    public static string State(JobView job) =>
        job.DeletedAt is not null ? "deleted"
        : job.IsOrphaned ? "orphaned"
        : job.InvalidReason is not null ? "invalid"
        : job.PausedReason is not null ? "paused"
        : job.IsEnabled ? "enabled" : "disabled";

    /// <summary>An answer as the API writes it, indented: what <c>--json</c> prints.</summary>
    public static string Json<T>(T value) => JsonSerializer.Serialize(value, Indented);

    private static readonly JsonSerializerOptions Indented = IndentedOptions();

    private static JsonSerializerOptions IndentedOptions()
    {
        var options = TotallatorJson.Create();
        options.WriteIndented = true;
        return options;
    }
}
