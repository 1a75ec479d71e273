using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Jobs.Command;

/// <summary>Reads command jobs from configuration: one section per job under <c>Cron:Jobs:&lt;slug&gt;</c>.</summary>
/// <remarks>
/// Any bad entry fails the load with an <see cref="OptionsValidationException"/> whose message names the key path, so a typo stops
/// the silo at start-up instead of leaving a job silently missing. Unknown keys are errors for the same reason.
/// </remarks>
public static partial class CommandJobConfiguration
{
    /// <summary>The <see cref="CronJobDefinition.Source"/> of every job loaded here.</summary>
    public const string Source = "configuration";

    /// <summary>The key that makes a section a job of a registered job type instead of a command job.</summary>
    public const string TypeKey = "Type";

    /// <summary>A typed job's parameters, a section bound to the type's parameter class.</summary>
    public const string ParametersKey = "Parameters";

    // What every job section may say: how and when it runs.
    private static readonly string[] CommonKeys =
    [
        nameof(CommandJobOptions.Name), nameof(CommandJobOptions.Description), nameof(CommandJobOptions.Schedule),
        nameof(CommandJobOptions.TimeoutMs), nameof(CommandJobOptions.MaxRetries), nameof(CommandJobOptions.TimeZone),
        nameof(CommandJobOptions.Enabled), nameof(CommandJobOptions.MisfirePolicy), nameof(CommandJobOptions.MisfireRunAllCap),
        nameof(CommandJobOptions.After),
    ];

    private static readonly HashSet<string> KnownKeys = new(CommonKeys.Concat(
    [
        nameof(CommandJobOptions.Command), nameof(CommandJobOptions.Arguments), nameof(CommandJobOptions.WorkingDirectory),
        nameof(CommandJobOptions.MaxOutputBytes), nameof(CommandJobOptions.Environment), nameof(CommandJobOptions.PassEnvironment),
    ]), StringComparer.OrdinalIgnoreCase);

    private static readonly HashSet<string> TypedKeys = new(CommonKeys.Concat([TypeKey, ParametersKey]), StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a job section names a job type (and is then not a command job).</summary>
    public static bool IsTyped(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return section.GetSection(TypeKey).Value is not null;
    }

    /// <summary>Loads and validates every job under <c>Cron:Jobs</c>; an absent section gives an empty list.</summary>
    /// <exception cref="OptionsValidationException">An entry is invalid; the message names the key path.</exception>
    public static IReadOnlyList<CronJobDefinition> Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var validator = new CommandJobOptionsValidator();
        var definitions = new List<CronJobDefinition>();
        foreach (var section in configuration.GetSection(CommandJobOptions.SectionName).GetChildren().Where(s => !IsTyped(s)))
        {
            var options = Read(section);
            var result = validator.Validate(section.Path, options);
            if (result.Failed)
            {
                throw new OptionsValidationException(section.Path, typeof(CommandJobOptions), result.Failures);
            }
            definitions.Add(ToDefinition(section.Key, options));
        }
        return definitions;
    }

    /// <summary>Binds one job section after checking what binding alone would let through.</summary>
    internal static CommandJobOptions Read(IConfigurationSection section, bool typed = false)
    {
        var knownKeys = typed ? TypedKeys : KnownKeys;
        if (!SlugPattern().IsMatch(section.Key))
        {
            Fail(section, $"{section.Path} is not a valid job slug: use 1-63 lower-case letters, digits and dashes, starting with a letter or digit");
        }
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            Fail(section, $"{section.Path} must be a section with at least Schedule and Command (or Type)");
        }
        foreach (var child in children)
        {
            if (typed && KnownKeys.Contains(child.Key) && !TypedKeys.Contains(child.Key))
            {
                Fail(section, $"{child.Path} is a command job's setting; a job with Type runs its type's code and has no command");
            }
            if (!knownKeys.Contains(child.Key))
            {
                Fail(section, $"{child.Path} is not a known setting; use one of {string.Join(", ", knownKeys)}");
            }
        }
        RequireArray(section, nameof(CommandJobOptions.Arguments), "arguments");
        RequireArray(section, nameof(CommandJobOptions.PassEnvironment), "names");
        RequireArray(section, nameof(CommandJobOptions.After), "job slugs");
        var environment = section.GetSection(nameof(CommandJobOptions.Environment));
        if (environment.Value is not null)
        {
            Fail(section, $"{environment.Path} must be a section of variables ({environment.Path}:NAME=value), not a single string");
        }
        try
        {
            var options = new CommandJobOptions();
            section.Bind(options);
            return options;
        }
        catch (InvalidOperationException ex)
        {
            // The binder's message names the key path and the expected type (e.g. "… at 'Cron:Jobs:x:TimeoutMs' to type 'System.Int32'").
            throw new OptionsValidationException(section.Path, typeof(CommandJobOptions), [ex.Message]);
        }
    }

    internal static CronJobDefinition ToDefinition(string slug, CommandJobOptions options)
    {
        var misfirePolicy = MisfirePolicy.RunOnce;
        if (!string.IsNullOrWhiteSpace(options.MisfirePolicy) && !MisfirePolicyText.TryParse(options.MisfirePolicy, out misfirePolicy))
        {
            throw new OptionsValidationException(slug, typeof(CommandJobOptions), [$"Unknown misfire policy '{options.MisfirePolicy}'"]);
        }
        return new CronJobDefinition
        {
            Slug = slug,
            Name = string.IsNullOrWhiteSpace(options.Name) ? slug : options.Name,
            Description = options.Description ?? "",
            Schedule = options.Schedule ?? "",
            Enabled = options.Enabled,
            TimeoutMs = options.TimeoutMs,
            MaxRetries = options.MaxRetries,
            TimeZone = options.TimeZone,
            MisfirePolicy = misfirePolicy,
            MisfireRunAllCap = options.MisfireRunAllCap,
            After = Dependencies.UpstreamList.Parse(slug, options.After),
            Source = Source,
            // The options are read-only after the load, so every attempt can share them.
            Factory = _ => new CommandJob(options),
        };
    }

    private static void RequireArray(IConfigurationSection section, string key, string what)
    {
        var array = section.GetSection(key);
        if (array.Value is not null)
        {
            Fail(section, $"{array.Path} must be an array ({array.Path}:0, {array.Path}:1, …), not a single string");
        }
        foreach (var element in array.GetChildren())
        {
            if (!int.TryParse(element.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _) || element.Value is null)
            {
                Fail(section, $"{element.Path} is not an array element; {what} are {array.Path}:0, {array.Path}:1, …");
            }
        }
    }

    private static void Fail(IConfigurationSection section, string message) =>
        throw new OptionsValidationException(section.Path, typeof(CommandJobOptions), [message]);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SlugPattern();
}
