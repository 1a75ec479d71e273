using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Totallator.Grains.Hosting;

namespace Totallator.Silo;

/// <summary>Orleans endpoint and cluster settings, section <c>Orleans</c>.</summary>
public sealed class SiloEndpointOptions
{
    public const string SectionName = "Orleans";

    /// <summary>The <see cref="AdvertisedIPAddress"/> value that means "this host's own address".</summary>
    public const string AutoAddress = "auto";

    public string ClusterId { get; set; } = "totallator";
    public string ServiceId { get; set; } = "totallator";
    /// <summary>Silo-to-silo port. Default: 11111.</summary>
    public int SiloPort { get; set; } = 11111;
    /// <summary>Client gateway port. Default: 30000.</summary>
    public int GatewayPort { get; set; } = 30000;
    /// <summary>
    /// The address other silos and clients reach this one at: an IP; a host name resolved at start-up; or <c>auto</c>, the first
    /// non-loopback IPv4 address of this host (what replicas of one compose service need, since they share a service name
    /// but each has its own container address). With any value the silo listens on all addresses. Default: loopback, for
    /// several silos on one machine. A value that does not resolve fails start-up.
    /// </summary>
    public string? AdvertisedIPAddress { get; set; }
}

/// <summary>How the silo is wired: a real cluster on PostgreSQL, or the single-node development mode.</summary>
public static class SiloHosting
{
    public static void Configure(ISiloBuilder silo, IConfiguration configuration, string? postgres)
    {
        var endpoints = configuration.GetSection(SiloEndpointOptions.SectionName).Get<SiloEndpointOptions>() ?? new SiloEndpointOptions();
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
            var advertised = AdvertisedAddress.Resolve(endpoints.AdvertisedIPAddress);
            silo.ConfigureEndpoints(advertised ?? IPAddress.Loopback, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: advertised is not null);
            silo.UsePostgresCluster(postgres);
        }
        silo.AddTotallatorScheduler(configuration);
    }
}

/// <summary>
/// Turns <c>Orleans:AdvertisedIPAddress</c> into the address written to the membership table. It is resolved once, while the
/// host is built (Orleans needs a concrete address then), so a bad value fails start-up here rather than as a silo nobody reaches.
/// </summary>
public static class AdvertisedAddress
{
    private const string Key = $"{SiloEndpointOptions.SectionName}:{nameof(SiloEndpointOptions.AdvertisedIPAddress)}";

    /// <summary>The address to advertise, or null (not set: loopback). Throws <see cref="OptionsValidationException"/> naming the value.</summary>
    public static IPAddress? Resolve(string? value) => Resolve(value, LocalAddresses, Dns.GetHostAddresses);

    /// <summary><see cref="Resolve(string?)"/> with the host's addresses and the DNS lookup supplied (for tests).</summary>
    public static IPAddress? Resolve(string? value, Func<IEnumerable<IPAddress>> localAddresses, Func<string, IPAddress[]> lookup)
    {
        ArgumentNullException.ThrowIfNull(localAddresses);
        ArgumentNullException.ThrowIfNull(lookup);
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim();
        if (string.Equals(value, SiloEndpointOptions.AutoAddress, StringComparison.OrdinalIgnoreCase))
        {
            return FirstRoutableIPv4(localAddresses())
                ?? throw Invalid(value, "this host has no non-loopback IPv4 address; set the address or a host name explicitly");
        }
        if (IPAddress.TryParse(value, out var ip))
        {
            return ip;
        }
        IPAddress[] found;
        try
        {
            found = lookup(value);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw Invalid(value, $"the host name does not resolve ({e.Message}); use an IP, a resolvable host name or '{SiloEndpointOptions.AutoAddress}'");
        }
        return found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? throw Invalid(value, "the host name resolves to no IPv4 address");
    }

    /// <summary>The first IPv4 address that another host could reach: not loopback (127.0.0.0/8), not link-local (169.254.0.0/16).</summary>
    public static IPAddress? FirstRoutableIPv4(IEnumerable<IPAddress> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        return candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a) && a.GetAddressBytes() is not [169, 254, ..]);
    }

    // The host name's addresses first: Docker writes the container's address for its host name into /etc/hosts, and on a
    // machine this is usually the primary address. Then every interface that is up, for hosts whose name maps only to 127.0.1.1.
    private static IEnumerable<IPAddress> LocalAddresses()
    {
        IPAddress[] named;
        try
        {
            named = Dns.GetHostAddresses(Dns.GetHostName());
        }
        catch (SocketException)
        {
            named = [];
        }
        var interfaces = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address));
        return named.Concat(interfaces);
    }

    private static OptionsValidationException Invalid(string value, string why) =>
        new(Key, typeof(SiloEndpointOptions), [$"{Key} is '{value}', but {why}."]);
}
