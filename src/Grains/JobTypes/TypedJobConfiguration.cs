using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Totallator.Grains.Jobs;
using Totallator.Grains.Jobs.Command;

namespace Totallator.Grains.JobTypes;

/// <summary>
/// Jobs of a registered job type defined in configuration: a section under <c>Cron:Jobs:&lt;slug&gt;</c> with <c>Type</c> and
/// <c>Parameters</c> instead of a command. Operators get the developers' code with their own schedule and parameters, and no
/// command line. A bad entry (an unknown type, a parameter the type refuses, a command setting) fails the silo's start with a
/// message that names the key.
/// </summary>
public static class TypedJobConfiguration
{
    private static readonly JsonSerializerOptions WriteJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Registers every typed job under <c>Cron:Jobs</c>. Its settings are checked at once; its parameters when the job catalog is
    /// first built, since the job types are registered by then, whatever the order of the calls.
    /// </summary>
    public static IServiceCollection AddTypedJobsFromConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        foreach (var section in configuration.GetSection(CommandJobOptions.SectionName).GetChildren().Where(CommandJobConfiguration.IsTyped))
        {
            var options = CommandJobConfiguration.Read(section, typed: true);
            var result = CommandJobOptionsValidator.Validate(section.Path, options, typed: true);
            if (result.Failed)
            {
                throw new OptionsValidationException(section.Path, typeof(CommandJobOptions), result.Failures);
            }
            var common = CommandJobConfiguration.ToDefinition(section.Key, options);
            var typeName = section[CommandJobConfiguration.TypeKey]!;
            var parameters = section.GetSection(CommandJobConfiguration.ParametersKey);
            services.AddSingleton(sp => Bind(common, typeName, parameters, sp.GetRequiredService<JobTypeCatalog>()));
        }
        return services;
    }

    /// <summary>The definition of one typed job: the type's code with the parameters bound and validated.</summary>
    internal static CronJobDefinition Bind(CronJobDefinition common, string typeName, IConfigurationSection parameters, JobTypeCatalog types)
    {
        ArgumentNullException.ThrowIfNull(common);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(types);
        var path = $"{CommandJobOptions.SectionName}:{common.Slug}";
        var type = types.Find(typeName) ?? throw Refused(path,
            $"{path}:Type names job type '{typeName}', which is not registered (registered: {types.NamesText})");
        object? bound;
        try
        {
            // Unknown keys are errors: a typo would otherwise leave a parameter at its default without a word.
            bound = parameters.Exists() ? parameters.Get(type.ParametersType, o => o.ErrorOnUnknownConfiguration = true) : null;
        }
        catch (InvalidOperationException ex)
        {
            throw Refused(path, $"{path}:{CommandJobConfiguration.ParametersKey}: {ex.Message}");
        }
        // Written without the reading rules (a required member the configuration left out is written null, then refused by name).
        var json = bound is null ? "{}" : JsonSerializer.Serialize(bound, type.ParametersType, WriteJson);
        if (type.TryRead(json, out var errors) is null)
        {
            // parameters.days → Cron:Jobs:<slug>:Parameters:days, the key an operator edits.
            throw Refused(path, [.. errors.Select(e => $"{path}:Parameters{e.Key["parameters".Length..].Replace('.', ':')}: {string.Join(" ", e.Value)}")]);
        }
        return common with { Factory = services => type.Factory(services, type.Read(json)) };
    }

    private static OptionsValidationException Refused(string path, params string[] failures) => new(path, typeof(CommandJobOptions), failures);
}
