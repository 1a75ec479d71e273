using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Totallator.Client;

/// <summary>Reads an error answer into a <see cref="ProblemInfo"/> and the exception of its status.</summary>
internal static class ProblemReader
{
    /// <summary>The most of a body that is not a problem kept as the detail (a proxy's error page, say).</summary>
    private const int MaxPlainDetail = 500;

    public static async Task<TotallatorApiException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
        return problem.Status switch
        {
            HttpStatusCode.BadRequest => new TotallatorValidationException(problem),
            HttpStatusCode.Unauthorized => new TotallatorUnauthorizedException(problem),
            HttpStatusCode.Forbidden => new TotallatorForbiddenException(problem),
            HttpStatusCode.NotFound => new TotallatorNotFoundException(problem),
            HttpStatusCode.Conflict => new TotallatorConflictException(problem),
            HttpStatusCode.PreconditionFailed => new TotallatorPreconditionFailedException(problem),
            HttpStatusCode.TooManyRequests => new TotallatorRateLimitedException(problem),
            HttpStatusCode.ServiceUnavailable => new TotallatorUnavailableException(problem),
            _ => new TotallatorApiException(problem),
        };
    }

    private static async Task<ProblemInfo> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var request = response.RequestMessage;
        var headerId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var problem = new ProblemInfo
        {
            Status = response.StatusCode,
            Title = response.ReasonPhrase is { Length: > 0 } reason ? reason + "." : $"HTTP {(int)response.StatusCode}.",
            Detail = Plain(text),
            RequestId = headerId,
            Method = request?.Method.Method ?? "",
            Path = request?.RequestUri?.PathAndQuery ?? "",
            RetryAfter = RetryAfter(response.Headers.RetryAfter),
        };
        if (!IsJson(response.Content.Headers.ContentType) || text.Length == 0)
        {
            return problem;
        }
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return problem;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            return problem;
        }
        return problem with
        {
            Title = String(root, "title") ?? problem.Title,
            Detail = String(root, "detail"),
            RequestId = String(root, "requestId") ?? headerId,
            Errors = FieldErrors(root),
            Body = root,
        };
    }

    private static string? Plain(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length == 0 ? null : trimmed.Length <= MaxPlainDetail ? trimmed : trimmed[..MaxPlainDetail] + "…";
    }

    private static bool IsJson(MediaTypeHeaderValue? type) =>
        type?.MediaType is { } media && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, IReadOnlyList<string>> FieldErrors(JsonElement root)
    {
        var errors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (root.TryGetProperty("errors", out var all) && all.ValueKind == JsonValueKind.Object)
        {
            foreach (var field in all.EnumerateObject())
            {
                errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                    ? [.. field.Value.EnumerateArray().Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!)]
                    : [];
            }
        }
        return errors;
    }

    private static TimeSpan? RetryAfter(RetryConditionHeaderValue? header) =>
        header?.Delta ?? (header?.Date is { } date ? Max(date - DateTimeOffset.UtcNow) : null);

    private static TimeSpan Max(TimeSpan span) => span < TimeSpan.Zero ? TimeSpan.Zero : span;
}
