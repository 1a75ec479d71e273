using System.Diagnostics;

namespace Totallator.Cli;

/// <summary><c>--verbose</c>: each request's method and address, and its answer's status, time and request id. Headers are never printed.</summary>
internal sealed class VerboseHandler(Terminal terminal, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        terminal.Error($"> {request.Method} {request.RequestUri}");
        var watch = Stopwatch.StartNew();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var id = response.Headers.TryGetValues("X-Request-Id", out var ids) ? $", request id {ids.First()}" : "";
        terminal.Error($"< {(int)response.StatusCode} {response.ReasonPhrase} ({watch.ElapsedMilliseconds} ms{id})");
        return response;
    }
}
