using Totallator.AdminApi.Hosting;

// The AdminApi: an Orleans client in front of the cluster, serving the admin API and the admin pages.
var builder = WebApplication.CreateBuilder(args);

// Orleans client: the cluster's gateways from PostgreSQL, or the local development silo.
builder.AddTotallatorClusterClient();

// Telemetry: OpenTelemetry metrics and traces, GET /metrics for Prometheus, OTLP when an endpoint is configured.
builder.AddTotallatorAdminApiTelemetry();

// Admin API: authentication, roles, antiforgery, rate limits, problem details, health, OpenAPI.
builder.Services.AddTotallatorAdminApi(builder.Configuration);

var app = builder.Build();
app.MapTotallatorAdminApi();
app.MapTotallatorAdminApiTelemetry();
await app.RunAsync();
