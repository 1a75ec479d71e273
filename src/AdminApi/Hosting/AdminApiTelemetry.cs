using Totallator.Shared.Telemetry;

namespace Totallator.AdminApi.Hosting;

/// <summary>
/// The AdminApi process's telemetry: the shared wiring (internal to each project that links it) under the AdminApi's service
/// name, public so that every host of the AdminApi process, its tests included, wires it as Program.cs does.
/// </summary>
public static class AdminApiTelemetry
{
    public const string ServiceName = "totallator-adminapi";

    /// <summary>Metrics, traces and their exporters (see <c>TelemetryHosting.AddTotallatorTelemetry</c>); instance id = host name.</summary>
    public static WebApplicationBuilder AddTotallatorAdminApiTelemetry(this WebApplicationBuilder builder) =>
        builder.AddTotallatorTelemetry(ServiceName);

    /// <summary><c>GET /metrics</c>, anonymous, unless <c>Telemetry:Prometheus:Enabled</c> is false.</summary>
    public static WebApplication MapTotallatorAdminApiTelemetry(this WebApplication app) => app.MapTotallatorTelemetry();
}
