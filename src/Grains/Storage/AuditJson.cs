using System.Text.Json.Nodes;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

/// <summary>The JSON objects of audit rows, built the same way by every writer so the in-memory and PostgreSQL trails agree.</summary>
public static class AuditJson
{
    /// <summary>The named fields of a job as a JSON object (misfirePolicy as its stored text); null when no field is named.</summary>
    public static string? JobFields(JobRecord job, IReadOnlyCollection<string> fields)
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
                Storage.JobFields.Schedule => JsonValue.Create(job.Schedule),
                Storage.JobFields.TimeZone => JsonValue.Create(job.TimeZone),
                Storage.JobFields.TimeoutMs => JsonValue.Create(job.TimeoutMs),
                Storage.JobFields.MaxRetries => JsonValue.Create(job.MaxRetries),
                Storage.JobFields.MisfirePolicy => JsonValue.Create(job.MisfirePolicy.ToText()),
                Storage.JobFields.IsEnabled => JsonValue.Create(job.IsEnabled),
                _ => throw new ArgumentOutOfRangeException(nameof(fields), field, "Not a job field an admin can change."),
            };
        }
        return json.ToJsonString();
    }

    /// <summary>A JSON object of the given name/value pairs; null when there are none.</summary>
    public static string? Of(IEnumerable<KeyValuePair<string, JsonNode?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var json = new JsonObject(values);
        return json.Count == 0 ? null : json.ToJsonString();
    }
}
