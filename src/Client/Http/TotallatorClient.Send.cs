using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Totallator.Client;

public sealed partial class TotallatorClient
{
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");

    /// <summary>Sends a request and reads a JSON answer.</summary>
    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        return await SendCoreAsync(method, path, body, headers, async (response, token) =>
            await response.Content.ReadFromJsonAsync<T>(TotallatorJson.Options, token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode} with an empty body."),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a request whose answer has no body worth reading (204, or 202 without one).</summary>
    private async Task SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken) =>
        await SendCoreAsync(method, path, body, null, (_, _) => Task.FromResult(true), cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// One request: the key added, the whole exchange (the body read included) under <see cref="TotallatorClientOptions.Timeout"/>,
    /// an error answer turned into its <see cref="TotallatorApiException"/>.
    /// </summary>
    private async Task<T> SendCoreAsync<T>(HttpMethod method, string path, object? body, IReadOnlyDictionary<string, string>? headers,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_base, Api + path));
        request.Headers.TryAddWithoutValidation(TotallatorClientOptions.ApiKeyHeader, _apiKey);
        request.Headers.Accept.Add(AcceptJson);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: TotallatorJson.Options);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (_timeout != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(_timeout);
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ProblemReader.ReadAsync(response, timeout.Token).ConfigureAwait(false);
            }
            return await read(response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested && timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {request.RequestUri!.PathAndQuery} had no answer from {_base} within {_timeout.TotalSeconds:0.#} s.", e);
        }
    }

    /// <summary>A job's slug (or any name) as one path segment.</summary>
    private static string Segment(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return Uri.EscapeDataString(value);
    }

    /// <summary>An entity tag for <c>If-Match</c>: a job's (or rule's) version in quotes, as the API sends it in <c>ETag</c>.</summary>
    internal static string EntityTag(int version) => $"\"{version.ToString(System.Globalization.CultureInfo.InvariantCulture)}\"";

    private static Dictionary<string, string>? IfMatch(int? expectedVersion) =>
        expectedVersion is { } version ? new() { ["If-Match"] = EntityTag(version) } : null;
}
