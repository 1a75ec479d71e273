using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;

namespace Totallator.AdminApi.Security;

/// <summary>
/// The first admin key, from <c>Admin:ApiKey</c> or generated at start-up in the development mode. Only its hash is kept in
/// memory after start-up; it is compared in constant time.
/// </summary>
public sealed class BootstrapKey
{
    public const string CallerName = "bootstrap-admin";
    private readonly byte[]? _hash;

    public BootstrapKey(IOptions<AdminApiOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var key = options.Value.ApiKey?.Trim();
        if (string.IsNullOrEmpty(key) && options.Value.GenerateKeyWhenMissing)
        {
            key = ApiKeys.Generate();
            GeneratedKey = key;
        }
        _hash = string.IsNullOrEmpty(key) ? null : Encoding.ASCII.GetBytes(ApiKeys.Hash(key));
    }

    /// <summary>The key generated at start-up, to print once on the console; null when configured or absent.</summary>
    public string? GeneratedKey { get; private set; }

    /// <summary>Whether any bootstrap key exists.</summary>
    public bool IsConfigured => _hash is not null;

    public bool Matches(string keyHash) =>
        _hash is not null && CryptographicOperations.FixedTimeEquals(_hash, Encoding.ASCII.GetBytes(keyHash));

    /// <summary>Forgets the generated key once it was shown.</summary>
    public void ClearGeneratedKey() => GeneratedKey = null;

    public static Caller Caller { get; } = new(CallerName, Grains.Interfaces.Admin.AdminRole.Admin, "bootstrap");
}
