using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace Totallator.AdminApi.Infrastructure;

/// <summary>A job's version as an HTTP entity tag: <c>"7"</c>.</summary>
public static class ETags
{
    public static string For(int version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// Reads <c>If-Match</c>: null version when absent or <c>*</c> (no check); false when present but not one of our tags.
    /// </summary>
    public static bool TryReadIfMatch(HttpRequest request, out int? expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(request);
        expectedVersion = null;
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header) || header.Trim() == "*")
        {
            return true;
        }
        if (!EntityTagHeaderValue.TryParseList([header], out var tags) || tags.Count != 1)
        {
            return false;
        }
        var tag = tags[0].Tag.ToString().Trim('"');
        if (!int.TryParse(tag, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return false;
        }
        expectedVersion = version;
        return true;
    }
}
