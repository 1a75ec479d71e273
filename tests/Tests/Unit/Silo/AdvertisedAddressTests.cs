using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Totallator.Silo;

namespace Totallator.Tests.Unit.Silo;

[Trait("Category", "Unit")]
public sealed class AdvertisedAddressTests
{
    private static readonly IPAddress Container = IPAddress.Parse("172.18.0.5");

    private static IPAddress[] NoLookup(string host) => throw new InvalidOperationException($"no DNS lookup expected, got '{host}'");

    [Fact]
    public void Resolve_IsNull_WhenNotSet()
    {
        Assert.Null(AdvertisedAddress.Resolve(null, () => [], NoLookup));
        Assert.Null(AdvertisedAddress.Resolve("  ", () => [], NoLookup));
    }

    [Fact]
    public void Resolve_PicksTheFirstNonLoopbackIPv4_WhenAuto()
    {
        IPAddress[] host = [IPAddress.Parse("127.0.1.1"), IPAddress.IPv6Loopback, IPAddress.Parse("fe80::1"), IPAddress.Parse("169.254.3.4"), Container, IPAddress.Parse("10.0.0.2")];
        Assert.Equal(Container, AdvertisedAddress.Resolve("auto", () => host, NoLookup));
        Assert.Equal(Container, AdvertisedAddress.Resolve("AUTO", () => host, NoLookup));
    }

    [Fact]
    public void Resolve_FailsNamingTheKey_WhenAutoFindsOnlyLoopback()
    {
        var error = Assert.Throws<OptionsValidationException>(() => AdvertisedAddress.Resolve("auto", () => [IPAddress.Loopback, IPAddress.IPv6Loopback], NoLookup));
        Assert.Contains("Orleans:AdvertisedIPAddress is 'auto'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no non-loopback IPv4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_TakesAnIPAsIs()
    {
        Assert.Equal(Container, AdvertisedAddress.Resolve("172.18.0.5", () => [], NoLookup));
    }

    [Fact]
    public void Resolve_TakesTheFirstIPv4OfAHostName()
    {
        Assert.Equal(Container, AdvertisedAddress.Resolve("silo1", () => [], h => h == "silo1" ? [IPAddress.Parse("fd00::5"), Container] : []));
    }

    [Fact]
    public void Resolve_FailsNamingTheValue_WhenTheHostNameDoesNotResolve()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            AdvertisedAddress.Resolve("silo-typo", () => [], _ => throw new SocketException((int)SocketError.HostNotFound)));
        Assert.Contains("Orleans:AdvertisedIPAddress is 'silo-typo'", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not resolve", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_Fails_WhenTheHostNameHasOnlyIPv6()
    {
        var error = Assert.Throws<OptionsValidationException>(() => AdvertisedAddress.Resolve("v6only", () => [], _ => [IPAddress.Parse("fd00::5")]));
        Assert.Contains("no IPv4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_FindsAnAddressOfThisMachine_WhenAuto()
    {
        // The real sources (host name, network interfaces): whatever is found must be one of this machine's own addresses.
        var own = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address)).ToList();
        if (AdvertisedAddress.FirstRoutableIPv4(own) is null)
        {
            Assert.Throws<OptionsValidationException>(() => AdvertisedAddress.Resolve("auto"));
            return;
        }
        var found = AdvertisedAddress.Resolve("auto")!;
        Assert.False(IPAddress.IsLoopback(found), $"auto picked loopback {found}");
        Assert.Equal(AddressFamily.InterNetwork, found.AddressFamily);
        Assert.Contains(found, own);
    }
}
