using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;
using IPNetwork = System.Net.IPNetwork;

namespace Totallator.AdminApi.Security;

/// <summary>
/// Believes <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> only from the proxies in <c>Admin:TrustedProxies</c>, through
/// ASP.NET Core's forwarded-headers middleware. Behind a TLS-terminating proxy the request then is HTTPS, so the session and
/// antiforgery cookies (<see cref="CookieSecurePolicy.SameAsRequest"/>) are marked <c>Secure</c>, and the client's address is
/// the one the proxy saw. From any other address the headers change nothing.
/// </summary>
public static class TrustedProxies
{
    /// <summary>The configured entries as addresses and networks, and one message per bad entry naming the key and the value.</summary>
    public static (List<IPAddress> Addresses, List<IPNetwork> Networks, List<string> Errors) Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var (addresses, networks, errors) = (new List<IPAddress>(), new List<IPNetwork>(), new List<string>());
        foreach (var entry in entries.SelectMany(e => (e ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if (!entry.Contains('/', StringComparison.Ordinal) && IPAddress.TryParse(entry, out var address) && IsLiteral(entry))
            {
                addresses.Add(address);
            }
            else if (entry.Contains('/', StringComparison.Ordinal) && IPNetwork.TryParse(entry, out var network)
                && network.BaseAddress.Equals(IPAddress.Parse(entry[..entry.IndexOf('/', StringComparison.Ordinal)])))
            {
                if (network.PrefixLength == 0)
                {
                    errors.Add($"Admin:TrustedProxies: '{entry}' would trust every address, so any client could claim HTTPS or another address; name the proxies.");
                }
                else
                {
                    networks.Add(network);
                }
            }
            else
            {
                errors.Add($"Admin:TrustedProxies: '{entry}' is neither an IP address (10.0.0.5, fd00::5) nor a CIDR network with no bits set past its prefix (10.0.0.0/8, fd00::/8).");
            }
        }
        return (addresses, networks, errors);
    }

    /// <summary>
    /// Adds the forwarded-headers middleware for the configured proxies; with none configured, adds nothing (the middleware's own
    /// defaults would trust loopback). Call it first, before anything reads the scheme or the client's address.
    /// </summary>
    public static IApplicationBuilder UseTrustedProxies(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var (addresses, networks, _) = Parse(app.ApplicationServices.GetRequiredService<IOptions<AdminApiOptions>>().Value.TrustedProxies);
        if (addresses.Count == 0 && networks.Count == 0)
        {
            return app;
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto,
            // Walk back through a chain of trusted proxies (a load balancer behind a CDN); the middleware stops at the first
            // address that is not trusted, so whatever a client wrote into the header itself is never used.
            ForwardLimit = null,
        };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var address in addresses)
        {
            options.KnownProxies.Add(address);
        }
        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(network);
        }
        return app.UseForwardedHeaders(options);
    }

    // IPAddress.TryParse also takes "10" or "10.1" (as 0.0.0.10, 10.0.0.1): a typo must not become a trusted address.
    private static bool IsLiteral(string entry) => entry.Contains(':', StringComparison.Ordinal) || entry.Count(c => c == '.') == 3;
}
