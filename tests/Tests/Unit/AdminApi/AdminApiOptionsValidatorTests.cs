using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;
using Totallator.AdminApi.Security;

namespace Totallator.Tests.Unit.AdminApi;

[Trait("Category", "Unit")]
public sealed class AdminApiOptionsValidatorTests
{
    private static readonly AdminApiOptionsValidator Validator = new();

    private static AdminApiOptions WithKeysDirectory(string? directory) => new() { DataProtection = { KeysDirectory = directory } };

    [Fact]
    public void Validate_Succeeds_WhenNoDataProtectionKeysDirectoryIsSet() =>
        Assert.True(Validator.Validate(null, WithKeysDirectory(null)).Succeeded);

    [Fact]
    public void Validate_Succeeds_WhenTheDataProtectionKeysDirectoryIsAbsolute() =>
        Assert.True(Validator.Validate(null, WithKeysDirectory(Path.Combine(Path.GetTempPath(), "keys"))).Succeeded);

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("keys")]
    [InlineData("./var/keys")]
    public void Validate_FailsNamingTheKey_WhenTheDataProtectionKeysDirectoryIsNotAnAbsolutePath(string directory)
    {
        var result = Validator.Validate(null, WithKeysDirectory(directory));
        Assert.True(result.Failed);
        Assert.Contains("Admin:DataProtection:KeysDirectory", result.FailureMessage, StringComparison.Ordinal);
    }

    // Bound from configuration, as at start-up: a setting the options do not know would be dropped silently (and pass).
    private static AdminApiOptions Bound(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        return configuration.GetSection(AdminApiOptions.SectionName).Get<AdminApiOptions>() ?? new AdminApiOptions();
    }

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("proxy.example.com")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")] // host bits past the prefix: a typo for 10.0.0.0/8 or for 10.0.0.1?
    [InlineData("0.0.0.0/0")] // would trust every address, so anyone could claim to be HTTPS or someone else
    [InlineData("::/0")]
    public void Validate_FailsNamingTheKeyAndTheValue_WhenATrustedProxyIsNotAnAddressOrNetwork(string entry)
    {
        var result = Validator.Validate(null, Bound(("Admin:TrustedProxies:0", "10.0.0.5"), ("Admin:TrustedProxies:1", entry)));
        Assert.True(result.Failed, $"'{entry}' should be refused");
        Assert.Contains("Admin:TrustedProxies", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains($"'{entry}'", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("'10.0.0.5'", result.FailureMessage, StringComparison.Ordinal);
    }

    // As an environment variable sets it (Admin__TrustedProxies=…): one comma-separated value, which plain binding would drop.
    [Fact]
    public void StartUp_FailsNamingTheValue_WhenACommaSeparatedTrustedProxyIsBad()
    {
        using var services = Registered("10.0.0.5, 172.16.0.0/12,nonsense");
        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<AdminApiOptions>>().Value);
        Assert.Contains("Admin:TrustedProxies", failure.Message, StringComparison.Ordinal);
        Assert.Contains("'nonsense'", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'172.16.0.0/12'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StartUp_ReadsACommaSeparatedListOfTrustedProxies()
    {
        using var services = Registered("10.0.0.5, 172.16.0.0/12");
        var (addresses, networks, errors) = TrustedProxies.Parse(services.GetRequiredService<IOptions<AdminApiOptions>>().Value.TrustedProxies);
        Assert.Empty(errors);
        Assert.Equal(["10.0.0.5"], addresses.Select(a => a.ToString()));
        Assert.Equal(["172.16.0.0/12"], networks.Select(n => n.ToString()));
    }

    private static ServiceProvider Registered(string trustedProxies) => new ServiceCollection()
        .AddTotallatorAdminApi(new ConfigurationBuilder().AddInMemoryCollection(
            new Dictionary<string, string?> { ["Admin:TrustedProxies"] = trustedProxies }).Build())
        .BuildServiceProvider();

    [Fact]
    public void Validate_Succeeds_WithTrustedProxyAddressesAndNetworks() =>
        Assert.True(Validator.Validate(null, Bound(("Admin:TrustedProxies:0", "10.0.0.5"), ("Admin:TrustedProxies:1", "172.16.0.0/12"),
            ("Admin:TrustedProxies:2", "::1"), ("Admin:TrustedProxies:3", "fd00::/8"))).Succeeded);

    [Theory]
    [InlineData("Admin:Events:MaxStreamsPerCaller", "0")]
    [InlineData("Admin:Events:MaxStreams", "0")]
    [InlineData("Admin:Events:MaxStreams", "-5")]
    public void Validate_FailsNamingTheKey_WhenAStreamCapIsBelowOne(string key, string value)
    {
        var result = Validator.Validate(null, Bound((key, value)));
        Assert.True(result.Failed, $"{key}={value} should be refused");
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Fails_WhenOneCallerMayOpenMoreStreamsThanTheProcess()
    {
        var result = Validator.Validate(null, Bound(("Admin:Events:MaxStreamsPerCaller", "20"), ("Admin:Events:MaxStreams", "10")));
        Assert.True(result.Failed);
        Assert.Contains("Admin:Events:MaxStreamsPerCaller", result.FailureMessage, StringComparison.Ordinal);
    }
}
