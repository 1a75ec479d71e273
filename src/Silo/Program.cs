using Totallator.AdminApi.Health;
using Totallator.AdminApi.Hosting;
using Totallator.Grains.Hosting;
using Totallator.Grains.Storage;
using Totallator.Shared.Telemetry;
using Totallator.Silo;
using Totallator.Silo.Examples;

var builder = WebApplication.CreateBuilder(args);
var postgres = builder.Configuration.GetConnectionString("Postgres");
postgres = string.IsNullOrWhiteSpace(postgres) ? null : postgres;

// `Totallator.Silo migrate`: apply the schema and exit (silos also do it themselves at start-up).
if (args.Contains("migrate"))
{
    if (postgres is null)
    {
        Console.Error.WriteLine("migrate needs ConnectionStrings:Postgres (e.g. ConnectionStrings__Postgres=Host=...;Database=...).");
        return 2;
    }
    using var migrateLogs = LoggerFactory.Create(b => b.AddConsole());
    var applied = await new SchemaMigrator(migrateLogs.CreateLogger<SchemaMigrator>()).MigrateAsync(postgres, CancellationToken.None);
    Console.WriteLine(applied.Count == 0 ? "Schema is up to date." : $"Applied: {string.Join(", ", applied)}");
    return 0;
}

// A real cluster needs its schema before Orleans reads the membership table.
if (postgres is not null)
{
    using var startupLogs = LoggerFactory.Create(b => b.AddConsole());
    await new SchemaMigrator(startupLogs.CreateLogger<SchemaMigrator>()).MigrateAsync(postgres, CancellationToken.None);
}

// Graceful shutdown: running jobs get the scheduler's grace period, plus time to record their end.
var schedulerOptions = builder.Configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>() ?? new SchedulerOptions();
builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = schedulerOptions.ShutdownGracePeriod + schedulerOptions.CancellationGrace + TimeSpan.FromSeconds(30));

// Orleans silo with the scheduler, plus the example jobs in the development mode.
builder.UseOrleans(silo => SiloHosting.Configure(silo, builder.Configuration, postgres));
builder.Services.AddExampleJobs(builder.Configuration, developmentMode: postgres is null);

// Telemetry in both modes: OpenTelemetry metrics and traces, GET /metrics for Prometheus, OTLP when an endpoint is configured.
builder.AddTotallatorTelemetry("totallator-silo", sp => sp.GetService<ILocalSiloDetails>()?.SiloAddress.ToString());

// Health on every silo; in the development mode the silo also serves the admin API (with a generated key if none is set),
// so `dotnet run` alone gives a usable system. A cluster runs the AdminApi as its own process instead.
if (postgres is null)
{
    builder.Services.AddTotallatorAdminApi(builder.Configuration, o => o.GenerateKeyWhenMissing = true);
}
else
{
    builder.Services.AddTotallatorHealthChecks();
}

var app = builder.Build();
if (postgres is null)
{
    app.MapTotallatorAdminApi();
}
else
{
    app.MapTotallatorHealthEndpoints();
}
app.MapTotallatorTelemetry();
SiloLog.Starting(app.Logger, postgres is null ? "development (in-memory, single node)" : "cluster (PostgreSQL)");
await app.RunAsync();
return 0;

/// <summary>Exposed for tests.</summary>
public partial class Program;
