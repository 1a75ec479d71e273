namespace Totallator.Client;

/// <summary>
/// The admin API of Totallator Cron over <see cref="HttpClient"/>: every endpoint under <c>/api/cron</c>, its answers as the
/// types of this package, its refusals as <see cref="TotallatorApiException"/>s. Thread-safe; holds no state but its
/// <see cref="HttpClient"/>, which it does not dispose. Register it with <c>services.AddTotallatorClient(...)</c>, or make one
/// with <see cref="TotallatorClient(HttpClient, TotallatorClientOptions)"/>.
/// </summary>
public sealed partial class TotallatorClient : ITotallatorClient
{
    private const string Api = "api/cron/";

    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly string _apiKey;
    private readonly TimeSpan _timeout;

    /// <summary>A client over <paramref name="http"/> (whose own base address and headers are not used).</summary>
    /// <exception cref="ArgumentException">The options are not usable; the message says why (never quoting the key).</exception>
    public TotallatorClient(HttpClient http, TotallatorClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { Count: > 0 } failures)
        {
            throw new ArgumentException("Totallator client options: " + string.Join(" ", failures), nameof(options));
        }
        _http = http;
        // Relative paths resolve under the base's path only when it ends with '/': https://gw/totallator -> https://gw/totallator/api/cron/...
        var text = options.BaseAddress!.AbsoluteUri;
        _base = new Uri(text.EndsWith('/') ? text : text + "/");
        _apiKey = options.ApiKey!;
        _timeout = options.Timeout;
    }

    /// <summary>The AdminApi's address this client calls.</summary>
    public Uri BaseAddress => _base;
}
