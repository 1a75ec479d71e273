using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Totallator.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ITotallatorClient"/>.</summary>
public static class TotallatorClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITotallatorClient"/> as a typed <see cref="HttpClient"/> of the HTTP client factory, with options
    /// checked on start (with a host) or on first use. The key's header is redacted from the factory's logs. Returns the client's
    /// builder, to add handlers (a resilience pipeline, a proxy, a test handler); mind that triggers are not idempotent without
    /// an <see cref="TriggerOptions.IdempotencyKey"/>, so retry POSTs only with one.
    /// </summary>
    /// <example><code>
    /// services.AddTotallatorClient(o =>
    /// {
    ///     o.BaseAddress = new Uri("https://cron.example.com/");
    ///     o.ApiKey = configuration["Totallator:ApiKey"];
    /// });
    /// </code></example>
    public static IHttpClientBuilder AddTotallatorClient(this IServiceCollection services, Action<TotallatorClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<TotallatorClientOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TotallatorClientOptions>, TotallatorClientOptionsValidator>());
        return services
            .AddHttpClient<ITotallatorClient, TotallatorClient>((http, provider) =>
            {
                // The client applies its own per-request timeout (with a clear TimeoutException); the factory's would cut it short.
                http.Timeout = Timeout.InfiniteTimeSpan;
                return new TotallatorClient(http, provider.GetRequiredService<IOptions<TotallatorClientOptions>>().Value);
            })
            .RedactLoggedHeaders([TotallatorClientOptions.ApiKeyHeader]);
    }
}
