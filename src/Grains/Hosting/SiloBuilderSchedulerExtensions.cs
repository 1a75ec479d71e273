using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Totallator.Grains.Analytics;
using Totallator.Grains.Clock;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Execution;
using Totallator.Grains.Fencing;
using Totallator.Grains.Jobs;
using Totallator.Grains.Jobs.BuiltIn;
using Totallator.Grains.Jobs.Command;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Dependencies;
using Totallator.Grains.OneOff;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Hosting;

/// <summary>Turns a silo into a Totallator scheduler.</summary>
public static class SiloBuilderSchedulerExtensions
{
    /// <summary>
    /// Adds the scheduler: job grains' services, lease maintenance, graceful shutdown, start-up definition sync, the jobs declared
    /// in configuration (<c>Cron:Jobs</c>) and the built-in jobs (<c>Cron:BuiltIn</c>). Pick a store with
    /// <see cref="UsePostgresJobStore"/> or <see cref="UseInMemoryJobStore"/>. Safe to call twice.
    /// </summary>
    public static ISiloBuilder AddTotallatorScheduler(this ISiloBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(RunRegistry)))
        {
            return builder;
        }
        services.AddOptions<SchedulerOptions>().Bind(configuration.GetSection(SchedulerOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SchedulerOptions>, SchedulerOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        // The clock scheduling decisions are made by: the host's, corrected to the database's (ClockSync says why).
        services.AddSingleton(sp => new SchedulerClock(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ClockSync>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ClockSync>());
        // This silo's check-ins: the bound on what it may start, which lets survivors hand a dead silo's claims over (SiloCheckIn).
        services.AddSingleton<SiloCheckIn>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SiloCheckIn>());
        services.AddSingleton(sp => ScheduleVariables.FromProcess(
            ScheduleVariables.Split(sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.ScheduleVariables)));
        services.AddSingleton<RunRegistry>();
        services.AddSingleton<LeftRunningAttempts>();
        // Metrics need the host's IMeterFactory; AddMetrics is a no-op where the host builder already added it.
        services.AddMetrics();
        services.AddOptions<SchedulerMetricsOptions>().Bind(configuration.GetSection(SchedulerMetricsOptions.SectionName));
        services.AddSingleton<SchedulerInstruments>();
        // Grain calls continue their caller's trace (the AdminApi client adds it too): a request links to the calls it makes
        // and to the occurrence it triggers. Costs nothing while no tracer listens.
        builder.AddActivityPropagation();
        services.AddSingleton<AttemptRunner>();
        services.AddSingleton<JobCatalog>();
        services.TryAddSingleton<JobTypes.JobTypeCatalog>();
        // Silo lifecycle participants, not hosted services: the host would start those after the silo is active and stop them
        // before the silo begins to stop (SchedulerLifecycleStages says why each stage).
        services.AddSingleton<LeaseMaintenanceService>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<LeaseMaintenanceService>());
        services.AddSingleton<SchedulerSettingsCache>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<SchedulerSettingsCache>());
        services.AddSingleton<GracefulShutdown>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<GracefulShutdown>());
        services.AddSingleton<JobWaker>();
        services.AddHostedService<DeadSiloJobRecovery>();
        services.AddHostedService<DependencySweep>();
        services.AddOptions<Alerts.AlertOptions>().Bind(configuration.GetSection(Alerts.AlertOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<Alerts.AlertOptions>, Alerts.AlertOptionsValidator>();
        services.AddSingleton(new Alerts.ConfiguredAlertRules(configuration));
        services.AddSingleton<Alerts.AlertSender>();
        services.AddHostedService<Alerts.AlertDispatcher>();
        services.AddSingleton<DefinitionSyncStartup>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DefinitionSyncStartup>());

        // Reminders are only the heartbeat; allow the configured period even below Orleans' 1-minute floor.
        var heartbeat = configuration.GetSection(SchedulerOptions.SectionName).GetValue<TimeSpan?>(nameof(SchedulerOptions.HeartbeatPeriod))
            ?? new SchedulerOptions().HeartbeatPeriod;
        services.Configure<ReminderOptions>(o =>
        {
            if (heartbeat < o.MinimumReminderPeriod)
            {
                o.MinimumReminderPeriod = heartbeat;
            }
        });
        var membership = new MembershipTimingOptions();
        configuration.GetSection(MembershipTimingOptions.SectionName).Bind(membership);
        services.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = membership.ProbeTimeout;
            o.NumMissedProbesLimit = membership.NumMissedProbesLimit;
            o.NumVotesForDeathDeclaration = membership.NumVotesForDeathDeclaration;
            o.DeathVoteExpirationTimeout = membership.DeathVoteExpirationTimeout;
            o.TableRefreshTimeout = membership.TableRefreshTimeout;
            o.IAmAliveTablePublishTimeout = membership.IAmAliveTablePublishTimeout;
        });

        // Roll-ups of the history (docs/analytics.md): a pass per interval, one silo at a time; nothing on the completion path.
        services.AddOptions<AnalyticsOptions>().Bind(configuration.GetSection(AnalyticsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AnalyticsOptions>, AnalyticsOptionsValidator>();
        services.AddHostedService<RollupPass>();

        services.AddCommandJobsFromConfiguration(configuration);
        services.AddBuiltInJobs(configuration);
        var cleanup = new HistoryCleanupOptions();
        configuration.GetSection(HistoryCleanupOptions.SectionName).Bind(cleanup);
        if (cleanup.Enabled)
        {
            services.AddCronJobDefinition(new CronJobDefinition
            {
                Slug = HistoryCleanupJob.Slug,
                Name = "Execution history cleanup",
                Description = "Deletes finished executions older than cronJobConfig.historyRetentionDays",
                Schedule = cleanup.Schedule,
                TimeoutMs = cleanup.TimeoutMs,
                Factory = sp => ActivatorUtilities.CreateInstance<HistoryCleanupJob>(sp),
            });
        }
        return builder;
    }

    /// <summary>
    /// Everything a cluster keeps in PostgreSQL: Orleans membership and reminders (ADO.NET providers, our own queries from
    /// <c>sql/migrations</c>) and the job store. The schema must be applied first (<see cref="SchemaMigrator"/>).
    /// </summary>
    public static ISiloBuilder UsePostgresCluster(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = connectionString;
        });
        builder.UseAdoNetReminderService(o =>
        {
            o.Invariant = PostgresInvariant;
            o.ConnectionString = connectionString;
        });
        return builder.UsePostgresJobStore(connectionString);
    }

    /// <summary>The ADO.NET invariant that makes the Orleans providers load Npgsql.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>Stores jobs and history in PostgreSQL (the schema is applied by <see cref="SchemaMigrator"/>).</summary>
    public static ISiloBuilder UsePostgresJobStore(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.TryAddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        builder.Services.TryAddSingleton<PostgresJobStore>();
        // Claims and completions of all job grains on the silo share statements; their loads take turns (see BatchingJobStore).
        builder.Services.TryAddSingleton<IJobStore>(sp => new BatchingJobStore(sp.GetRequiredService<PostgresJobStore>(),
            sp.GetRequiredService<IOptions<SchedulerOptions>>().Value.JobLoadSlotsFor(new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize)));
        builder.Services.TryAddSingleton<IAdminStore, PostgresAdminStore>();
        builder.Services.TryAddSingleton<IRollupStore, PostgresRollupStore>();
        builder.Services.TryAddSingleton<IDependencyStore>(sp => sp.GetRequiredService<PostgresJobStore>());
        builder.Services.TryAddSingleton<IOneOffStore>(sp => sp.GetRequiredService<PostgresJobStore>());
        builder.Services.TryAddSingleton<JobTypes.IApiJobStore>(sp => sp.GetRequiredService<PostgresJobStore>());
        builder.Services.TryAddSingleton<Alerts.IAlertStore, Alerts.PostgresAlertStore>();
        // The daily partitions of the history (0015) exist only in PostgreSQL.
        builder.Services.AddOptions<History.HistoryPartitionOptions>().Bind(builder.Configuration.GetSection(History.HistoryPartitionOptions.SectionName));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, History.HistoryPartitionMaintainer>());
        return builder;
    }

    /// <summary>Keeps jobs and history in memory: the single-node development mode only.</summary>
    public static ISiloBuilder UseInMemoryJobStore(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // One instance behind both interfaces: the admin side reads the same jobs and executions.
        builder.Services.TryAddSingleton<InMemoryJobStore>();
        builder.Services.TryAddSingleton<IJobStore>(sp => sp.GetRequiredService<InMemoryJobStore>());
        builder.Services.TryAddSingleton<IAdminStore>(sp => sp.GetRequiredService<InMemoryJobStore>());
        builder.Services.TryAddSingleton<IRollupStore>(sp => sp.GetRequiredService<InMemoryJobStore>());
        builder.Services.TryAddSingleton<IDependencyStore>(sp => sp.GetRequiredService<InMemoryJobStore>());
        builder.Services.TryAddSingleton<IOneOffStore>(sp => sp.GetRequiredService<InMemoryJobStore>());
        builder.Services.TryAddSingleton<JobTypes.IApiJobStore>(sp => sp.GetRequiredService<InMemoryJobStore>());
        builder.Services.TryAddSingleton<Alerts.IAlertStore>(sp => sp.GetRequiredService<InMemoryJobStore>());
        return builder;
    }
}
