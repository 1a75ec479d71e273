using System.Text.Json.Nodes;

namespace Totallator.Grains.JobTypes;

/// <summary>
/// A typed job's parameters as they may be shown, and as an edit merges them: secret parameters (<see cref="CronJobType.SecretParameters"/>)
/// never leave the silo, and an edit that leaves one out keeps the stored value. Pure: no I/O.
/// </summary>
public static class JobParameters
{
    /// <summary>
    /// The parameters without the secret ones' values, and the names of the secrets that hold one. A type this silo does not know
    /// shows nothing: which of its parameters are secret cannot be told.
    /// </summary>
    public static (string? Json, IReadOnlyList<string> Secrets) Shown(CronJobType? type, string? json)
    {
        if (json is null || type is null || JsonNode.Parse(json) is not JsonObject parameters)
        {
            return (null, []);
        }
        var secrets = new List<string>();
        foreach (var name in parameters.Select(p => p.Key).Where(type.SecretParameters.Contains).ToList())
        {
            if (parameters[name] is not null)
            {
                secrets.Add(name);
            }
            parameters.Remove(name);
        }
        secrets.Sort(StringComparer.Ordinal);
        return (parameters.ToJsonString(), secrets);
    }

    /// <summary>
    /// What an audit row keeps of parameters: the values, with each secret that holds one replaced by a marker, so the row says
    /// whether a secret changed, never what to. With <paramref name="before"/> (the new side of an edit): <c>(secret, changed)</c>
    /// or <c>(secret, unchanged)</c>; without: <c>(secret)</c>.
    /// </summary>
    public static string Audited(CronJobType type, string json, string? before = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (JsonNode.Parse(json) is not JsonObject parameters)
        {
            return "{}";
        }
        var old = before is null ? null : JsonNode.Parse(before) as JsonObject;
        foreach (var name in parameters.Select(p => p.Key).Where(type.SecretParameters.Contains).ToList())
        {
            if (parameters[name] is null)
            {
                continue;
            }
            parameters[name] = old is null ? "(secret)"
                : JsonNode.DeepEquals(old[name], parameters[name]) ? "(secret, unchanged)" : "(secret, changed)";
        }
        return parameters.ToJsonString();
    }

    /// <summary>
    /// The parameters an edit stores: those sent, and each secret the edit left out taken from the stored ones (a form that
    /// never saw the secret sends it back empty-handed).
    /// </summary>
    public static string Merged(CronJobType type, string sent, string stored)
    {
        ArgumentNullException.ThrowIfNull(type);
        JsonNode? parsed;
        try
        {
            parsed = JsonNode.Parse(sent);
        }
        catch (System.Text.Json.JsonException)
        {
            return sent; // Not JSON: the type's validation says so, naming the field.
        }
        if (parsed is not JsonObject parameters || JsonNode.Parse(stored) is not JsonObject old)
        {
            return sent;
        }
        foreach (var name in type.SecretParameters.Where(n => !parameters.ContainsKey(n) && old.ContainsKey(n)))
        {
            parameters[name] = old[name]?.DeepClone();
        }
        return parameters.ToJsonString();
    }
}
