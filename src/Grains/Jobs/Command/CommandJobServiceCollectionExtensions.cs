using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Totallator.Grains.Jobs.Command;

/// <summary>Registers the command jobs defined in configuration.</summary>
public static class CommandJobServiceCollectionExtensions
{
    /// <summary>
    /// Loads every job under <c>Cron:Jobs:&lt;slug&gt;</c> (see <see cref="CommandJobConfiguration.Load"/>) and adds it with
    /// <see cref="CronJobServiceCollectionExtensions.AddCronJobDefinition"/>. Throws at once on a bad entry. Safe to call twice.
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
        return services;
    }

    /// <summary>Marks the collection so a second call adds no duplicate definitions.</summary>
    private sealed class CommandJobsMarker;
}
