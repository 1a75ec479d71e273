using System.Collections;
using System.Reflection;
using Totallator.AdminApi.Hosting;
using Totallator.Grains.Hosting;
using Totallator.Silo;

namespace Totallator.Tests.Deployment;

/// <summary>
/// Whether an environment variable names a configuration key the application reads: <c>A__B__C</c> is the key <c>A:B:C</c>,
/// looked up in the options class bound to its section by reflection, so a renamed or misspelt key fails a test instead of
/// being silently ignored by the configuration binder.
/// </summary>
public static class ConfigurationKeys
{
    // Longest prefix first: Orleans:Membership is bound separately from the rest of Orleans.
    private static readonly (string Section, Type Options)[] Sections =
    [
        (MembershipTimingOptions.SectionName, typeof(MembershipTimingOptions)),
        (SiloEndpointOptions.SectionName, typeof(SiloEndpointOptions)),
        (SchedulerOptions.SectionName, typeof(SchedulerOptions)),
        (AdminApiOptions.SectionName, typeof(AdminApiOptions)),
    ];

    // Keys read without an options class. Each entry says who reads it.
    private static readonly string[] Exact =
    [
        "ConnectionStrings:Postgres", // GetConnectionString("Postgres") in src/Silo/Program.cs and ClusterClientHosting.
        "Urls",                       // ASP.NET Core's own host setting: the addresses Kestrel listens on.
        "Cron:Examples:Enabled",      // GetValue in src/Silo/Examples/ExampleJobs.cs (examples are not options).
    ];

    // Variables named by the OpenTelemetry specification (OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT, ...), read by the
    // OpenTelemetry SDK itself rather than through IConfiguration sections.
    private static readonly string[] RawPrefixes = ["OTEL_"];

    /// <summary>Null when <paramref name="variable"/> maps to a key the application reads, else why not.</summary>
    public static string? Problem(string variable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        if (RawPrefixes.Any(p => variable.StartsWith(p, StringComparison.Ordinal)))
        {
            return null;
        }
        var key = variable.Replace("__", ":", StringComparison.Ordinal);
        if (Exact.Contains(key, StringComparer.OrdinalIgnoreCase))
        {
            return null;
        }
        foreach (var (section, options) in Sections)
        {
            if (key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
            {
                return PropertyProblem(options, key[(section.Length + 1)..].Split(':'), key);
            }
        }
        return $"'{key}' is in no section the application binds ({string.Join(", ", Sections.Select(s => s.Section))}) and not in the allow-list";
    }

    private static string? PropertyProblem(Type type, string[] path, string key)
    {
        // Configuration keys are case-insensitive, as the binder matches them.
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null || property.SetMethod is not { IsPublic: true })
        {
            return $"'{key}': {type.Name} has no settable property '{path[0]}'";
        }
        var value = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var leaf = value.IsPrimitive || value.IsEnum || value == typeof(string) || value == typeof(TimeSpan) || value == typeof(decimal)
            || value == typeof(DateTimeOffset) || value == typeof(Uri);
        if (path.Length == 1)
        {
            return leaf ? null : $"'{key}' names the section {property.Name} ({value.Name}), not a value in it";
        }
        if (leaf)
        {
            return $"'{key}': {type.Name}.{property.Name} is a single value, it has no '{path[1]}'";
        }
        // A list or dictionary takes any index or name below it.
        return typeof(IEnumerable).IsAssignableFrom(value) ? null : PropertyProblem(value, path[1..], key);
    }
}
