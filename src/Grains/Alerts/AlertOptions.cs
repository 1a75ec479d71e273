using Microsoft.Extensions.Options;

namespace Totallator.Grains.Alerts;

/// <summary><c>Cron:Alerts</c>: how the cluster delivers alert messages. The rules themselves are under <c>Cron:Alerts:Rules</c>.</summary>
public sealed class AlertOptions
{
    public const string Section = "Cron:Alerts";

    /// <summary>How often each silo looks for events to plan and messages to send when it found none the last time.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the dead man's switch ('stale' rules) is checked.</summary>
    public TimeSpan FreshnessCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a silo holds a delivery it is sending; another silo sends it after that if this one died.</summary>
    public TimeSpan DeliveryLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait for a receiver's answer.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A message still not delivered this long after it was planned is given up (kept in the log as given_up).</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Scales the retry waits (<see cref="DeliveryBackoff"/>); below 1 only in tests.</summary>
    public double BackoffScale { get; set; } = 1;

    /// <summary>How long processed events and finished deliveries are kept.</summary>
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(30);

    /// <summary>The admin pages' address as receivers reach it (e.g. <c>https://cron.example.com</c>), for links in messages.</summary>
    public string? PublicUrl { get; set; }
}

public sealed class AlertOptionsValidator : IValidateOptions<AlertOptions>
{
    public ValidateOptionsResult Validate(string? name, AlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Positive(TimeSpan value, string key, TimeSpan? max = null)
        {
            if (value <= TimeSpan.Zero || max is { } m && value > m)
            {
                errors.Add($"{AlertOptions.Section}:{key} must be more than 0{(max is { } top ? $" and at most {top}" : "")} (was {value}).");
            }
        }
        Positive(options.PollInterval, nameof(options.PollInterval), TimeSpan.FromMinutes(1));
        Positive(options.FreshnessCheckInterval, nameof(options.FreshnessCheckInterval), TimeSpan.FromHours(1));
        Positive(options.RequestTimeout, nameof(options.RequestTimeout), TimeSpan.FromMinutes(2));
        Positive(options.DeliveryLease, nameof(options.DeliveryLease));
        Positive(options.GiveUpAfter, nameof(options.GiveUpAfter));
        Positive(options.KeepFor, nameof(options.KeepFor));
        if (options.DeliveryLease <= options.RequestTimeout)
        {
            errors.Add($"{AlertOptions.Section}:DeliveryLease ({options.DeliveryLease}) must be longer than RequestTimeout ({options.RequestTimeout}): a silo must hear the answer before another may send the message again.");
        }
        if (options.BackoffScale is <= 0 or > 100 || double.IsNaN(options.BackoffScale))
        {
            errors.Add($"{AlertOptions.Section}:BackoffScale must be more than 0 and at most 100 (was {options.BackoffScale}).");
        }
        if (options.PublicUrl is { } url && AlertUrls.Problem(url) is { } problem)
        {
            errors.Add($"{AlertOptions.Section}:PublicUrl: {problem}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
