using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using Totallator.Grains.Jobs;

namespace Totallator.Grains.JobTypes;

/// <summary>
/// A kind of job a developer registers with typed parameters (<see cref="CronJobTypeServiceCollectionExtensions.AddCronJobType{TJob, TParameters}"/>),
/// from which admins create jobs: each job of the type has its own slug, schedule and parameters. The parameters' JSON schema
/// lets the admin page build its form; <see cref="TryRead"/> validates what an admin sends against the type.
/// </summary>
public sealed class CronJobType
{
    /// <summary>How parameters are read: camelCase, unknown members refused, nullability and required members respected.</summary>
    internal static readonly JsonSerializerOptions ParameterJson = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        // The schema exporter needs a resolver set explicitly (it marks the options read-only).
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The type's stable name (lower-case letters, digits, dashes), stored with each job created from it.</summary>
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public string Description { get; init; } = "";
    public required Type ParametersType { get; init; }
    /// <summary>The parameters' JSON schema (draft 2020-12), with ranges, lengths and descriptions from the parameter class's attributes.</summary>
    public required string ParametersSchemaJson { get; init; }
    /// <summary>Creates the job for one attempt, from the attempt's DI scope and the job's parameters.</summary>
    public required Func<IServiceProvider, object, ICronJob> Factory { get; init; }
    /// <summary>
    /// The JSON names of the parameters marked <c>[PasswordPropertyText]</c>: stored, given to the job, never shown (the API,
    /// the pages and the audit rows leave their values out; an edit that leaves one out keeps it).
    /// </summary>
    public IReadOnlySet<string> SecretParameters { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The JSON names of <paramref name="parameters"/>' properties marked <c>[PasswordPropertyText]</c>.</summary>
    internal static HashSet<string> SecretsOf(Type parameters) => parameters.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<PasswordPropertyTextAttribute>() is { Password: true })
        .Select(p => p.GetCustomAttribute<System.Text.Json.Serialization.JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name))
        .ToHashSet(StringComparer.Ordinal);

    /// <summary>Reads parameters that were validated when stored; throws when they no longer fit the type (its class changed since).</summary>
    public object Read(string json)
    {
        return TryRead(json, out var errors) ?? throw new InvalidOperationException(
            $"The job's parameters do not fit job type '{Name}': {Describe(errors)}");
    }

    /// <summary>The errors of <see cref="TryRead"/> as one line: <c>parameters.days: …; parameters.format: …</c>.</summary>
    public static string Describe(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
    }

    /// <summary>
    /// Reads and validates parameters sent as JSON; null with the errors keyed by field (<c>parameters.days</c>) when they do not
    /// fit the type.
    /// </summary>
    public object? TryRead(string json, out Dictionary<string, string[]> errors)
    {
        errors = [];
        object? value;
        try
        {
            value = JsonSerializer.Deserialize(json, ParametersType, ParameterJson);
        }
        catch (JsonException ex)
        {
            var path = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "parameters" : "parameters" + ex.Path.TrimStart('$');
            errors[path] = [ex.Message.Split(" Path:", 2)[0]];
            return null;
        }
        if (value is null)
        {
            errors["parameters"] = ["parameters must be a JSON object."];
            return null;
        }
        if (UnstorableText(JsonNode.Parse(json), "parameters") is { } unstorable)
        {
            // jsonb refuses \u0000, and half a surrogate pair is no text at all: refused here, named, instead of failing the write.
            errors[unstorable] = ["holds a NUL character or half a surrogate pair, which cannot be stored."];
            return null;
        }
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
        {
            foreach (var result in results)
            {
                foreach (var member in result.MemberNames.DefaultIfEmpty(""))
                {
                    var key = member.Length == 0 ? "parameters" : "parameters." + JsonNamingPolicy.CamelCase.ConvertName(member);
                    errors[key] = [.. errors.GetValueOrDefault(key) ?? [], result.ErrorMessage ?? "invalid"];
                }
            }
            return null;
        }
        return value;
    }

    /// <summary>The path of the first name or text value the database cannot store, or null.</summary>
    private static string? UnstorableText(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var childPath = path + "." + name;
                    if (!Storage.TextSanitizer.IsStorable(name))
                    {
                        return path;
                    }
                    if (UnstorableText(child, childPath) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonArray array:
                return array.Select((child, i) => UnstorableText(child, $"{path}[{i}]")).FirstOrDefault(p => p is not null);
            case JsonValue value when value.TryGetValue(out string? text):
                return Storage.TextSanitizer.IsStorable(text) ? null : path;
            default:
                return null;
        }
    }

    /// <summary>The schema of <paramref name="parameters"/>, with what its attributes say that the exporter leaves out.</summary>
    internal static string SchemaOf(Type parameters)
    {
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(ParameterJson, parameters, new JsonSchemaExporterOptions
        {
            TransformSchemaNode = (context, node) =>
            {
                if (node is not JsonObject obj || context.PropertyInfo?.AttributeProvider is not { } attributes)
                {
                    return node;
                }
                foreach (var attribute in attributes.GetCustomAttributes(inherit: true))
                {
                    switch (attribute)
                    {
                        case DescriptionAttribute d:
                            obj["description"] = d.Description;
                            break;
                        case PasswordPropertyTextAttribute { Password: true }:
                            // Never read back: the page shows a password field that, left empty, keeps the stored value.
                            obj["writeOnly"] = true;
                            obj["format"] = "password";
                            break;
                        case RangeAttribute r:
                            obj["minimum"] = JsonValue.Create(Convert.ToDouble(r.Minimum, System.Globalization.CultureInfo.InvariantCulture));
                            obj["maximum"] = JsonValue.Create(Convert.ToDouble(r.Maximum, System.Globalization.CultureInfo.InvariantCulture));
                            break;
                        case StringLengthAttribute s:
                            obj["maxLength"] = s.MaximumLength;
                            if (s.MinimumLength > 0)
                            {
                                obj["minLength"] = s.MinimumLength;
                            }
                            break;
                        case MaxLengthAttribute m when obj["type"]?.ToString().Contains("array", StringComparison.Ordinal) == true:
                            obj["maxItems"] = m.Length;
                            break;
                        case MinLengthAttribute m when obj["type"]?.ToString().Contains("array", StringComparison.Ordinal) == true:
                            obj["minItems"] = m.Length;
                            break;
                    }
                }
                return obj;
            },
        });
        if (parameters.GetCustomAttribute<DescriptionAttribute>() is { } described && schema is JsonObject root)
        {
            root["description"] = described.Description;
        }
        return schema.ToJsonString();
    }
}
