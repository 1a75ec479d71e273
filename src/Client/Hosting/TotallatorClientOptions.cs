namespace Totallator.Client;

/// <summary>Where the admin API is and how the client proves who it is.</summary>
public sealed class TotallatorClientOptions
{
    /// <summary>The header the key travels in.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>
    /// The AdminApi's address, e.g. <c>https://cron.example.com/</c>; a path is kept (<c>https://gw.example.com/totallator/</c>
    /// for an API behind a prefix). Required; http or https.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>An API key (created by an admin under Keys, or with <c>totallator keys create</c>). Required; never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one request may take, its body included, before a <see cref="TimeoutException"/>. Default 100 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>What is wrong with these options, one message each; empty when they are usable. Never quotes the key.</summary>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (BaseAddress is null)
        {
            failures.Add("BaseAddress is required: the AdminApi's address, e.g. https://cron.example.com/.");
        }
        else if (!BaseAddress.IsAbsoluteUri || BaseAddress.Scheme is not ("http" or "https"))
        {
            failures.Add($"BaseAddress must be an absolute http or https address; got '{BaseAddress.OriginalString}'.");
        }
        else if (BaseAddress.Query.Length > 0 || BaseAddress.Fragment.Length > 0)
        {
            failures.Add("BaseAddress must not have a query or fragment.");
        }
        if (string.IsNullOrWhiteSpace(ApiKey))
        {
            failures.Add("ApiKey is required.");
        }
        else if (ApiKey.Length > 200 || ApiKey.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            // Said without the key: this message may reach a log.
            failures.Add("ApiKey is malformed: at most 200 characters, no spaces or control characters.");
        }
        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            failures.Add($"Timeout must be positive; got {Timeout}.");
        }
        return failures;
    }
}
