using Orleans.Configuration;
using Totallator.AdminApi.Hosting;

// The AdminApi: an Orleans client in front of the cluster, serving the admin API (and, later, the admin pages).
var builder = WebApplication.CreateBuilder(args);
var postgres = builder.Configuration.GetConnectionString("Postgres");

// Orleans client: gateways come from the same membership table the silos write, or the local development silo.
builder.UseOrleansClient(client =>
{
    if (string.IsNullOrWhiteSpace(postgres))
    {
        client.UseLocalhostClustering(builder.Configuration.GetValue("Orleans:GatewayPort", 30000));
    }
    else
    {
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = "Npgsql";
            o.ConnectionString = postgres;
        });
    }
    client.Configure<ClusterOptions>(o =>
    {
        o.ClusterId = builder.Configuration.GetValue("Orleans:ClusterId", "totallator")!;
        o.ServiceId = builder.Configuration.GetValue("Orleans:ServiceId", "totallator")!;
    });
    // A request waits at most this long for the cluster, then answers 503 rather than hanging.
    var timeout = builder.Configuration.GetSection(AdminApiOptions.SectionName).Get<AdminApiOptions>()?.ClusterCallTimeout ?? new AdminApiOptions().ClusterCallTimeout;
    client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout);
});

// Admin API: authentication, roles, antiforgery, rate limits, problem details, health, OpenAPI.
builder.Services.AddTotallatorAdminApi(builder.Configuration);

var app = builder.Build();
app.MapTotallatorAdminApi();
await app.RunAsync();
