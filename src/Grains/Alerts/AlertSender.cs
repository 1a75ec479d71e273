using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Grains.Alerts;

/// <summary>
/// Sends one message over HTTP. A 2xx answer delivers it; anything else (another status, no answer within
/// <see cref="AlertOptions.RequestTimeout"/>, a refused connection) is a failed attempt, told in the delivery log by its status
/// code or error. Redirects are not followed: a receiver that moved is told as a failure, not followed to a new host.
/// </summary>
public sealed class AlertSender : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;

    public AlertSender(IOptions<AlertOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // DNS changes of a receiver are picked up rather than pinned for the life of the silo.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        { Timeout = options.Value.RequestTimeout };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Totallator-Cron", "1"));
    }

    /// <summary>The answer's status code (null when none came) and an error text when it did not deliver.</summary>
    public async Task<(bool Delivered, int? Code, string? Error)> SendAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var message = AlertMessage.FromJson(delivery.PayloadJson);
        var body = delivery.Channel == AlertChannel.Slack ? message.ToSlackJson() : message.ToJson();
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.DeliveryHeader, delivery.Id.ToString());
        if (delivery.Channel == AlertChannel.Webhook && !string.IsNullOrEmpty(delivery.Secret))
        {
            var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(delivery.Secret, timestamp, body));
        }
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (true, code, null) : (false, code, $"HTTP {code} {response.ReasonPhrase}".Trim());
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, null, $"no answer within {_http.Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            // The message names the host and the socket error; never the URL's path, which may be a token.
            return (false, null, ex.HttpRequestError == HttpRequestError.Unknown ? "the request failed" : $"{ex.HttpRequestError}: {ex.InnerException?.Message ?? ex.Message}");
        }
    }

    public void Dispose() => _http.Dispose();
}
