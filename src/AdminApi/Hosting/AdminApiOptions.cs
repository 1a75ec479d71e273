using Microsoft.Extensions.Options;
using Totallator.AdminApi.Security;

namespace Totallator.AdminApi.Hosting;

/// <summary>Settings of the admin API, section <c>Admin</c>.</summary>
public sealed class AdminApiOptions
{
    public const string SectionName = "Admin";

    /// <summary>
    /// The first admin key, so a fresh install is usable: a caller presenting it (header <c>X-Api-Key</c> or sign-in) is the admin
    /// <c>bootstrap-admin</c>. At least 32 characters. Default: none — then only keys stored in PostgreSQL work, unless
    /// <see cref="GenerateKeyWhenMissing"/> is set. Never logged.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// When no <see cref="ApiKey"/> is configured, generate one at start-up and print it to the console (not to the logs). The
    /// silo's development mode sets it so that <c>dotnet run</c> gives a usable API. Default: false (fail closed).
    /// </summary>
    public bool GenerateKeyWhenMissing { get; set; }

    /// <summary>How long a browser session (cookie) lasts after sign-in. Default: 8 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How long a key lookup is remembered. Shorter means a revoked key stops working sooner, longer means fewer database reads
    /// per request. Default: 5 seconds.
    /// </summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Manual triggers of one job allowed per minute, from all callers together (then 429). Default: 10.</summary>
    public int TriggersPerJobPerMinute { get; set; } = 10;

    /// <summary>Manual triggers one caller may make per minute, over all jobs (then 429). Default: 30.</summary>
    public int TriggersPerCallerPerMinute { get; set; } = 30;

    /// <summary>Largest request body accepted under <c>/api</c>; larger ones get 413. Default: 64 KiB.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>How long a grain call made for a request may take before the request answers 503. Default: 10 seconds.</summary>
    public TimeSpan ClusterCallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the keys that protect session cookies and antiforgery tokens live, section <c>Admin:DataProtection</c>.</summary>
    public AdminDataProtectionOptions DataProtection { get; set; } = new();

    /// <summary>Limits of the live event stream <c>/api/cron/events</c>, section <c>Admin:Events</c>.</summary>
    public AdminEventsOptions Events { get; set; } = new();

    /// <summary>
    /// The reverse proxies (IP addresses and CIDR networks, e.g. <c>10.0.0.5</c>, <c>172.16.0.0/12</c>) whose
    /// <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> are believed: the client's address and whether it came over HTTPS
    /// (then cookies are marked <c>Secure</c>). Entries may also be comma-separated (<c>Admin__TrustedProxies=10.0.0.5,10.0.1.0/24</c>).
    /// Default: none — forwarded headers are ignored, so a client cannot claim another address or HTTPS.
    /// </summary>
    public IList<string> TrustedProxies { get; set; } = [];
}

/// <summary>
/// Caps on open <c>/api/cron/events</c> streams: each reads the store once a second and holds a connection for as long as
/// the page is open, so a client opening them in a loop must not exhaust the process or the database.
/// </summary>
public sealed class AdminEventsOptions
{
    /// <summary>Streams one caller (one key, its sessions included) may hold open in one process (then 429). Default: 10 (tabs).</summary>
    public int MaxStreamsPerCaller { get; set; } = 10;

    /// <summary>Streams one AdminApi process serves at once, over all callers (then 429). Default: 200.</summary>
    public int MaxStreams { get; set; } = 200;

    /// <summary>
    /// Reads of the shared activity feed each stream may have waiting to be sent (1 to 100). A stream that falls further behind
    /// (a slow client) loses its oldest waiting reads, never holds up the others; each read looks 30 s back, so an end a dropped
    /// read carried comes again with the next. Default: 4.
    /// </summary>
    public int BufferedReads { get; set; } = 4;
}

/// <summary>Settings of the keys that sign and encrypt session cookies and antiforgery tokens.</summary>
public sealed class AdminDataProtectionOptions
{
    /// <summary>
    /// A directory shared by every AdminApi replica (a volume), where the keys are kept, so a cookie issued by one replica is
    /// accepted by the others behind a load balancer, and sessions survive a restart. The keys are stored unencrypted: give the
    /// directory to the AdminApi's user only. Default: none — ASP.NET Core's per-machine default (the user profile, which in a
    /// container is lost with it), right for a single process only.
    /// </summary>
    public string? KeysDirectory { get; set; }
}

/// <summary>Fails start-up on settings that would make the API unsafe or unusable, naming the setting.</summary>
public sealed class AdminApiOptionsValidator : IValidateOptions<AdminApiOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ApiKey is { } key && key.Trim().Length < 32)
        {
            failures.Add("Admin:ApiKey must be at least 32 characters (it grants admin rights); generate one with `openssl rand -base64 32`.");
        }
        if (options.SessionLifetime <= TimeSpan.Zero)
        {
            failures.Add($"Admin:SessionLifetime must be positive; got {options.SessionLifetime}.");
        }
        if (options.KeyCacheDuration < TimeSpan.Zero || options.KeyCacheDuration > TimeSpan.FromMinutes(5))
        {
            failures.Add($"Admin:KeyCacheDuration must be between 0 and 5 minutes (a revoked key works until it expires); got {options.KeyCacheDuration}.");
        }
        if (options.TriggersPerJobPerMinute < 1 || options.TriggersPerCallerPerMinute < 1)
        {
            failures.Add("Admin:TriggersPerJobPerMinute and Admin:TriggersPerCallerPerMinute must be at least 1.");
        }
        if (options.MaxRequestBodyBytes < 1024)
        {
            failures.Add($"Admin:MaxRequestBodyBytes must be at least 1024; got {options.MaxRequestBodyBytes}.");
        }
        if (options.DataProtection.KeysDirectory is { } keys && (string.IsNullOrWhiteSpace(keys) || !Path.IsPathFullyQualified(keys)))
        {
            failures.Add($"Admin:DataProtection:KeysDirectory must be an absolute directory path shared by every AdminApi replica; got '{keys}'.");
        }
        if (options.ClusterCallTimeout <= TimeSpan.Zero)
        {
            failures.Add($"Admin:ClusterCallTimeout must be positive; got {options.ClusterCallTimeout}.");
        }
        if (options.Events.MaxStreamsPerCaller < 1)
        {
            failures.Add($"Admin:Events:MaxStreamsPerCaller must be at least 1; got {options.Events.MaxStreamsPerCaller}.");
        }
        if (options.Events.BufferedReads is < 1 or > 100)
        {
            failures.Add($"Admin:Events:BufferedReads must be from 1 to 100; got {options.Events.BufferedReads}.");
        }
        if (options.Events.MaxStreams < 1)
        {
            failures.Add($"Admin:Events:MaxStreams must be at least 1; got {options.Events.MaxStreams}.");
        }
        else if (options.Events.MaxStreamsPerCaller > options.Events.MaxStreams)
        {
            failures.Add($"Admin:Events:MaxStreamsPerCaller ({options.Events.MaxStreamsPerCaller}) cannot exceed Admin:Events:MaxStreams ({options.Events.MaxStreams}).");
        }
        failures.AddRange(TrustedProxies.Parse(options.TrustedProxies).Errors);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
