namespace Totallator.Grains.Alerts;

/// <summary>What of a destination URL may be shown, and the links a message carries to the admin pages.</summary>
public static class AlertUrls
{
    /// <summary>Scheme and host only: a webhook URL's path or query may hold its token (a Slack incoming webhook's does).</summary>
    public static string Destination(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "(not a URL)";

    /// <summary>An absolute http(s) URL with a host, or why not.</summary>
    public static string? Problem(string? url) =>
        string.IsNullOrWhiteSpace(url) ? "A destination URL is required."
        : !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host)
            ? "The URL must be an absolute http or https URL."
        : !string.IsNullOrEmpty(uri.UserInfo) ? "Put credentials in the secret or the URL's token, not in user:password@host."
        : null;

    public static string? JobPage(string? publicUrl, string slug) =>
        publicUrl is null ? null : $"{publicUrl.TrimEnd('/')}/admin/cron/{Uri.EscapeDataString(slug)}";
}
