using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Totallator.Grains.Jobs.Command;

/// <summary>Registers the command jobs defined in configuration.</summary>
public static class CommandJobServiceCollectionExtensions
{
    /// <summary>
    /// Loads every job under <c>Cron:Jobs:&lt;slug&gt;</c>: command jobs (see <see cref="CommandJobConfiguration.Load"/>), added with
    /// <see cref="CronJobServiceCollectionExtensions.AddCronJobDefinition"/>, and jobs of a registered job type (see
    /// <see cref="JobTypes.TypedJobConfiguration"/>). Throws at once on a bad entry. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddCommandJobsFromConfiguration(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(CommandJobsMarker)))
        {
            return services;
        }
        services.AddSingleton<CommandJobsMarker>();
        foreach (var definition in CommandJobConfiguration.Load(configuration))
        {
            services.AddCronJobDefinition(definition);
        }
        return JobTypes.TypedJobConfiguration.AddTypedJobsFromConfiguration(services, configuration);
    }

    /// <summary>Marks the collection so a second call adds no duplicate definitions.</summary>
    private sealed class CommandJobsMarker;
}
