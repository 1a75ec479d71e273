using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Totallator.Shared.Telemetry;

/// <summary>
/// OpenTelemetry for silos and the AdminApi, one file linked into both projects (the AdminApi may reference only
/// Grains.Interfaces, so there is no shared assembly to hold it). Internal in each, so the silo's copy and the one it sees
/// through its AdminApi reference never clash.
/// </summary>
internal static class TelemetryHosting
{
    /// <summary>Our meter and activity source (<c>SchedulerInstruments</c> in Grains; named here, where Grains is not referenced).</summary>
    public const string SchedulerSource = "Totallator.Scheduler";

    /// <summary>The Prometheus scrape path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Metrics (the scheduler's, Orleans', ASP.NET Core's, the runtime's) and traces (the scheduler's, Orleans' runtime and
    /// application sources, ASP.NET Core requests), a Prometheus exporter unless <c>Telemetry:Prometheus:Enabled</c> is false,
    /// and OTLP export of all three signals only when an endpoint is configured.
    /// </summary>
    /// <param name="builder">The host being built.</param>
    /// <param name="serviceName"><c>totallator-silo</c> or <c>totallator-adminapi</c>.</param>
    /// <param name="instanceId">The <c>service.instance.id</c> (a silo passes its silo address); null for the host name.</param>
    public static WebApplicationBuilder AddTotallatorTelemetry(this WebApplicationBuilder builder, string serviceName,
        Func<IServiceProvider, string?>? instanceId = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // Console lines carry their scopes (a run's JobSlug, ExecutionId, OccurrenceKey, ScheduledFor) for whichever formatter is
        // chosen (Logging:Console:FormatterName = simple or json). A default below every other source, so configuration can still
        // say false; the AdminApi has no appsettings.json to say it in (the silo references it, and two would collide).
        ((IConfigurationBuilder)builder.Configuration).Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = [KeyValuePair.Create("Logging:Console:FormatterOptions:IncludeScopes", (string?)"true")],
        });
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r
                .AddService(serviceName, serviceInstanceId: Environment.MachineName)
                .AddDetector(sp => new InstanceDetector(instanceId?.Invoke(sp))))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SchedulerSource, "Microsoft.Orleans")
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation();
                if (options.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            })
            .WithTracing(tracing => tracing
                .AddSource(SchedulerSource, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                // Probes and scrapes arrive every few seconds and say nothing about the work: no trace for them.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path)));

        // OTEL_EXPORTER_OTLP_ENDPOINT is read by UseOtlpExporter itself (with OTEL_EXPORTER_OTLP_PROTOCOL and friends).
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.WithLogging(configureBuilder: null, configureOptions: IncludeScopes).UseOtlpExporter();
        }
        else if (options.Otlp.Endpoint is { } endpoint)
        {
            telemetry.WithLogging(configureBuilder: null, configureOptions: IncludeScopes).UseOtlpExporter(options.Otlp.Protocol, endpoint);
        }
        return builder;
    }

    /// <summary>Maps <c>GET /metrics</c> when the Prometheus exporter is on; anonymous, as the health probes are.</summary>
    public static WebApplication MapTotallatorTelemetry(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Prometheus.Enabled)
        {
            // The AdminApi's fallback policy requires a key; a scraper has none.
            app.MapPrometheusScrapingEndpoint(MetricsPath).AllowAnonymous();
        }
        return app;
    }

    // Log records exported over OTLP carry the run's scope (JobSlug, ExecutionId, OccurrenceKey, ScheduledFor).
    private static void IncludeScopes(OpenTelemetry.Logs.OpenTelemetryLoggerOptions o)
    {
        o.IncludeScopes = true;
        o.IncludeFormattedMessage = true;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(MetricsPath, StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);

    /// <summary>Overrides <c>service.instance.id</c> once the container can say what the instance is (a silo's address).</summary>
    private sealed class InstanceDetector(string? instanceId) : IResourceDetector
    {
        public Resource Detect() => instanceId is null
            ? Resource.Empty
            : new Resource([new KeyValuePair<string, object>("service.instance.id", instanceId)]);
    }
}
