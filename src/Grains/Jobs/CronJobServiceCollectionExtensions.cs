using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Totallator.Grains.Jobs;

/// <summary>Registers jobs written in code.</summary>
public static class CronJobServiceCollectionExtensions
{
    /// <summary>
    /// Adds a job. <paramref name="slug"/> is its stable id (lower-case letters, digits, dashes); <paramref name="schedule"/> a 5- or
    /// 6-field cron expression, <c>${VAR}</c> allowed. The definition is validated when the silo starts.
    /// </summary>
    public static IServiceCollection AddCronJob<TJob>(this IServiceCollection services, string slug, string schedule, Action<CronJobOptions>? configure = null)
        where TJob : class, ICronJob
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new CronJobOptions();
        configure?.Invoke(options);
        services.TryAddTransient<TJob>();
        return services.AddCronJobDefinition(new CronJobDefinition
        {
            Slug = slug,
            Name = options.Name ?? slug,
            Description = options.Description,
            Schedule = schedule,
            Enabled = options.Enabled,
            TimeoutMs = options.TimeoutMs,
            MaxRetries = options.MaxRetries,
            TimeZone = options.TimeZone,
            MisfirePolicy = options.MisfirePolicy,
            MisfireRunAllCap = options.MisfireRunAllCap,
            After = Dependencies.UpstreamList.Parse(slug, options.After),
            Source = "code",
            Factory = sp => sp.GetRequiredService<TJob>(),
        });
    }

    /// <summary>
    /// Adds a job with no schedule of its own: it runs only after its upstreams (<see cref="CronJobOptions.After"/>, which must
    /// name at least one job).
    /// </summary>
    public static IServiceCollection AddCronJob<TJob>(this IServiceCollection services, string slug, Action<CronJobOptions> configure)
        where TJob : class, ICronJob =>
        services.AddCronJob<TJob>(slug, "", configure);

    /// <summary>Adds a ready-made definition (used for configuration-defined and built-in jobs).</summary>
    public static IServiceCollection AddCronJobDefinition(this IServiceCollection services, CronJobDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(definition);
        return services;
    }
}
