using System.Security.Cryptography;
using System.Text;

namespace Totallator.AdminApi.Security;

/// <summary>The shape of API keys: <c>tcron_</c> + 43 characters of base64url (256 random bits), stored only as a SHA-256 hash.</summary>
/// <remarks>
/// A plain hash (not a slow password hash) is enough because the keys are random, not chosen by people: 256 bits cannot be
/// guessed, and a fast hash keeps per-request authentication cheap.
/// </remarks>
public static class ApiKeys
{
    public const string HeaderName = "X-Api-Key";
    private const string Marker = "tcron_";
    private const int PrefixLength = 12;

    /// <summary>A new random key.</summary>
    public static string Generate() => Marker + Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the key, as stored.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The first characters of a key, shown in lists so admins can tell keys apart without seeing them.</summary>
    public static string Prefix(string key) => key.Length <= PrefixLength ? key : key[..PrefixLength];

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
