using Orleans.Configuration;

namespace Totallator.AdminApi.Hosting;

/// <summary>How the AdminApi process reaches the cluster as an Orleans client.</summary>
public static class ClusterClientHosting
{
    /// <summary>
    /// With <c>ConnectionStrings:Postgres</c>, gateways come from the membership table the silos write (<c>Orleans:ClusterId</c> and
    /// <c>Orleans:ServiceId</c> must match theirs); without it, the local development silo on <c>Orleans:GatewayPort</c>.
    /// </summary>
    public static WebApplicationBuilder AddTotallatorClusterClient(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var postgres = configuration.GetConnectionString("Postgres");
        builder.UseOrleansClient(client =>
        {
            if (string.IsNullOrWhiteSpace(postgres))
            {
                client.UseLocalhostClustering(configuration.GetValue("Orleans:GatewayPort", 30000));
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
                o.ClusterId = configuration.GetValue("Orleans:ClusterId", "totallator")!;
                o.ServiceId = configuration.GetValue("Orleans:ServiceId", "totallator")!;
            });
            // A request waits at most this long for the cluster, then answers 503 rather than hanging.
            var timeout = configuration.GetSection(AdminApiOptions.SectionName).Get<AdminApiOptions>()?.ClusterCallTimeout
                ?? new AdminApiOptions().ClusterCallTimeout;
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = timeout);
            // The request's trace continues into the grain calls it makes (the silos add it too).
            client.AddActivityPropagation();
        });
        return builder;
    }
}
