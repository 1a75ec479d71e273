using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>Registers the built-in jobs that are switched on in configuration.</summary>
public static class BuiltInJobServiceCollectionExtensions
{
    /// <summary>The <see cref="CronJobDefinition.Source"/> of the built-in jobs: they are defined in code, only tuned by configuration.</summary>
    public const string Source = "code";

    /// <summary>
    /// Adds <c>db-backup</c> (<see cref="PostgresBackupJob"/>, section <c>Cron:BuiltIn:Backup</c>) and <c>file-integrity</c>
    /// (<see cref="FileIntegrityJob"/>, section <c>Cron:BuiltIn:FileIntegrity</c>), each only when its <c>Enabled</c> is true.
    /// The backup uses <c>ConnectionStrings:Postgres</c> unless the section sets its own <c>ConnectionString</c>.
    /// Throws <see cref="OptionsValidationException"/> at once when an enabled job is misconfigured. Safe to call twice.
    /// </summary>
    public static IServiceCollection AddBuiltInJobs(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(BuiltInJobsMarker)))
        {
            return services;
        }
        services.AddSingleton<BuiltInJobsMarker>();

        // Bound now, not through IOptions at run time: the schedule and timeout go into the definition, which is synced at start-up.
        var backup = Bind<PostgresBackupOptions>(configuration, PostgresBackupOptions.SectionName);
        if (string.IsNullOrWhiteSpace(backup.ConnectionString))
        {
            backup.ConnectionString = configuration.GetConnectionString("Postgres");
        }
        if (backup.Enabled)
        {
            Validate(new PostgresBackupOptionsValidator(), backup);
            services.AddCronJobDefinition(new CronJobDefinition
            {
                Slug = PostgresBackupJob.Slug,
                Name = "PostgreSQL backup",
                Description = $"pg_dump -Fc into {backup.Directory}, keeping the newest {backup.Keep}",
                Schedule = backup.Schedule,
                TimeoutMs = backup.TimeoutMs,
                Source = Source,
                Factory = sp => new PostgresBackupJob(backup, sp.GetService<TimeProvider>()),
            });
        }

        var integrity = Bind<FileIntegrityOptions>(configuration, FileIntegrityOptions.SectionName);
        if (integrity.Enabled)
        {
            Validate(new FileIntegrityOptionsValidator(), integrity);
            services.AddCronJobDefinition(new CronJobDefinition
            {
                Slug = FileIntegrityJob.Slug,
                Name = "File integrity check",
                Description = $"SHA-256 of every file under {integrity.Directory}, compared with the previous run",
                Schedule = integrity.Schedule,
                TimeoutMs = integrity.TimeoutMs,
                Source = Source,
                Factory = sp => new FileIntegrityJob(integrity, sp.GetService<TimeProvider>()),
            });
        }
        return services;
    }

    private static T Bind<T>(IConfiguration configuration, string sectionName) where T : class, new()
    {
        var options = new T();
        configuration.GetSection(sectionName).Bind(options);
        return options;
    }

    private static void Validate<T>(IValidateOptions<T> validator, T options) where T : class
    {
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures);
        }
    }

    /// <summary>Marks the collection so a second call adds no duplicate definitions.</summary>
    private sealed class BuiltInJobsMarker;
}
