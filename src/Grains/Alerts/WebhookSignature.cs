using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Totallator.Grains.Alerts;

/// <summary>
/// The signature of a webhook message: HMAC-SHA256 with the rule's secret over <c>{timestamp}.{body}</c>, hex, sent as
/// <c>X-Totallator-Signature: sha256=…</c> with the timestamp (Unix seconds) in <c>X-Totallator-Timestamp</c>. Signing the
/// timestamp with the body lets a receiver refuse an old message replayed.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Totallator-Signature";
    public const string TimestampHeader = "X-Totallator-Timestamp";
    public const string DeliveryHeader = "X-Totallator-Delivery";

    public static string Sign(string secret, long unixSeconds, string body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        ArgumentNullException.ThrowIfNull(body);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret),
            Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "." + body));
        return "sha256=" + Convert.ToHexStringLower(mac);
    }

    /// <summary>What a receiver does: true when the signature is the secret's (compared in constant time).</summary>
    public static bool Verify(string secret, long unixSeconds, string body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, unixSeconds, body)), Encoding.ASCII.GetBytes(signature ?? ""));
}
