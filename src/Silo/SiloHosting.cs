using System.Net;
using Orleans.Configuration;
using Totallator.Grains.Hosting;

namespace Totallator.Silo;

/// <summary>Orleans endpoint and cluster settings, section <c>Orleans</c>.</summary>
public sealed class SiloEndpointOptions
{
    public string ClusterId { get; set; } = "totallator";
    public string ServiceId { get; set; } = "totallator";
    /// <summary>Silo-to-silo port. Default: 11111.</summary>
    public int SiloPort { get; set; } = 11111;
    /// <summary>Client gateway port. Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;
    /// <summary>
    /// The address other silos and clients reach this one at: an IP, or a host name resolved at start-up (e.g. the container's
    /// service name). Default: loopback, for several silos on one machine.
    /// </summary>
    public string? AdvertisedIPAddress { get; set; }
}

/// <summary>How the silo is wired: a real cluster on PostgreSQL, or the single-node development mode.</summary>
public static class SiloHosting
{
    public static void Configure(ISiloBuilder silo, IConfiguration configuration, string? postgres)
    {
        var endpoints = configuration.GetSection("Orleans").Get<SiloEndpointOptions>() ?? new SiloEndpointOptions();
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = endpoints.ClusterId;
            o.ServiceId = endpoints.ServiceId;
        });
        if (postgres is null)
        {
            // Development mode: one silo on loopback, reminders and jobs in memory. Nothing survives a restart.
            silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, serviceId: endpoints.ServiceId, clusterId: endpoints.ClusterId);
            silo.UseInMemoryReminderService();
            silo.UseInMemoryJobStore();
        }
        else
        {
            var advertised = endpoints.AdvertisedIPAddress is { Length: > 0 } host ? Resolve(host) : null;
            silo.ConfigureEndpoints(advertised ?? IPAddress.Loopback, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: advertised is not null);
            silo.UsePostgresCluster(postgres);
        }
        silo.AddTotallatorScheduler(configuration);
    }

    private static IPAddress Resolve(string host) =>
        IPAddress.TryParse(host, out var ip)
            ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"Orleans:AdvertisedIPAddress '{host}' does not resolve to an IPv4 address.");
}
