// The AdminApi: an Orleans client in front of the cluster. The admin endpoints and pages arrive with their own issues;
// for now it joins the cluster and answers liveness, so deployments can already include it.
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
    client.Configure<Orleans.Configuration.ClusterOptions>(o =>
    {
        o.ClusterId = builder.Configuration.GetValue("Orleans:ClusterId", "totallator")!;
        o.ServiceId = builder.Configuration.GetValue("Orleans:ServiceId", "totallator")!;
    });
});

var app = builder.Build();
app.MapGet("/health/live", () => Results.Ok(new { status = "live" }));
await app.RunAsync();
