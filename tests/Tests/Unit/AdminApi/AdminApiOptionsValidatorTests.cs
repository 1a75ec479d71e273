using Totallator.AdminApi.Hosting;

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
}
