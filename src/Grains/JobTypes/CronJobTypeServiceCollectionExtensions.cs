using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Totallator.Grains.Jobs;

namespace Totallator.Grains.JobTypes;

/// <summary>What a developer says about a job type when registering it.</summary>
public sealed class CronJobTypeOptions
{
    /// <summary>Shown to admins; defaults to the type's name.</summary>
    public string? DisplayName { get; set; }
    public string Description { get; set; } = "";
}

/// <summary>Registers job types, from which admins create jobs in the API and the admin pages.</summary>
public static class CronJobTypeServiceCollectionExtensions
{
    /// <summary>
    /// Adds a job type. <typeparamref name="TJob"/> is created for each attempt from the attempt's DI scope, with the job's
    /// <typeparamref name="TParameters"/> given to its constructor; <typeparamref name="TParameters"/> is read from JSON
    /// (camelCase, unknown members refused) and validated with its data annotations (<c>[Range]</c>, <c>[Required]</c>, …).
    /// </summary>
    public static IServiceCollection AddCronJobType<TJob, TParameters>(this IServiceCollection services, string name, Action<CronJobTypeOptions>? configure = null)
        where TJob : class, ICronJob
        where TParameters : class
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new CronJobTypeOptions();
        configure?.Invoke(options);
        services.AddSingleton(new CronJobType
        {
            Name = name, DisplayName = options.DisplayName ?? name, Description = options.Description, ParametersType = typeof(TParameters),
            ParametersSchemaJson = CronJobType.SchemaOf(typeof(TParameters)), SecretParameters = CronJobType.SecretsOf(typeof(TParameters)),
            Factory = (sp, parameters) => ActivatorUtilities.CreateInstance<TJob>(sp, (TParameters)parameters),
        });
        services.TryAddSingleton<JobTypeCatalog>();
        return services;
    }
}
