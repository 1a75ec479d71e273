using System.Text.Json.Nodes;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The JSON objects of audit rows, built the same way by every writer so the in-memory and PostgreSQL trails agree.</summary>
public static class AuditJson
{
    /// <summary>
    /// The named fields of a job as a JSON object (misfirePolicy as its stored text); null when no field is named. Parameters are
    /// written as given in <paramref name="auditedParameters"/> (their secrets replaced), never as stored.
    /// </summary>
    public static string? JobFields(JobRecord job, IReadOnlyCollection<string> fields, string? auditedParameters = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
        {
            return null;
        }
        var json = new JsonObject();
        foreach (var field in fields)
        {
            json[field] = field switch
            {
                Storage.JobFields.Schedule => JsonValue.Create(TextSanitizer.Replace(job.Schedule)),
                Storage.JobFields.TimeZone => JsonValue.Create(TextSanitizer.Replace(job.TimeZone)),
                Storage.JobFields.TimeoutMs => JsonValue.Create(job.TimeoutMs),
                Storage.JobFields.MaxRetries => JsonValue.Create(job.MaxRetries),
                Storage.JobFields.MisfirePolicy => JsonValue.Create(job.MisfirePolicy.ToText()),
                Storage.JobFields.IsEnabled => JsonValue.Create(job.IsEnabled),
                Storage.JobFields.After => new JsonArray(Dependencies.UpstreamList.ToStored(job.After).Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
                Storage.JobFields.Name => JsonValue.Create(TextSanitizer.Replace(job.Name)),
                Storage.JobFields.Description => JsonValue.Create(TextSanitizer.Replace(job.Description)),
                Storage.JobFields.Parameters => auditedParameters is null ? null : JsonNode.Parse(auditedParameters),
                Storage.JobFields.PauseAfterFailures => job.PauseAfterFailures is { } n ? JsonValue.Create(n) : null,
                _ => throw new ArgumentOutOfRangeException(nameof(fields), field, "Not a job field an admin can change."),
            };
        }
        return json.ToJsonString();
    }

    /// <summary>
    /// A JSON object of the given name/value pairs; null when there are none. A NUL in a name or a text value would be written as
    /// <c>\u0000</c>, which <c>jsonb</c> refuses: replaced (see <see cref="TextSanitizer"/>), so the audit row is still written.
    /// </summary>
    public static string? Of(IEnumerable<KeyValuePair<string, JsonNode?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var json = new JsonObject(values.Select(kv => KeyValuePair.Create(TextSanitizer.Replace(kv.Key)!, Storable(kv.Value))));
        return json.Count == 0 ? null : json.ToJsonString();
    }

    private static JsonNode? Storable(JsonNode? value) =>
        value is JsonValue v && v.TryGetValue(out string? text) && !TextSanitizer.IsStorable(text) ? JsonValue.Create(TextSanitizer.Replace(text)) : value;
}
