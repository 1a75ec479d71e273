using Microsoft.Extensions.Options;

namespace Totallator.Grains.Analytics;

/// <summary>The roll-ups of job history (docs/analytics.md), bound from configuration section <c>Cron:Analytics</c>.</summary>
public sealed class AnalyticsOptions
{
    public const string SectionName = "Cron:Analytics";

    /// <summary>Whether this silo runs roll-up passes. The read side works either way (it reads what is there). Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often a silo runs a roll-up pass; one silo at a time does the work (the others find the lock taken and skip). The
    /// current hour's and day's figures are this old at most. Default: 5 minutes.
    /// </summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many UTC days of daily roll-ups are kept (today included). Default: 400, beyond the history's 30.</summary>
    public int KeepDays { get; set; } = 400;

    /// <summary>How many days of hourly roll-ups are kept; the 24-hour view needs at least 2. Default: 14.</summary>
    public int HourlyKeepDays { get; set; } = 14;

    /// <summary>
    /// How far before the last pass a pass looks again: an end is written a moment after its <c>completedAt</c> (batched), and
    /// a run's real end, retried through a database outage for up to ten lease durations (5 min by default), replaces an
    /// <c>abandoned</c> verdict with an earlier time. Default: 10 minutes.
    /// </summary>
    public TimeSpan LateEndGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>What the store needs to know of these options for one pass; a pass within half an interval of another is skipped.</summary>
    public RollupPolicy Policy => new(KeepDays, HourlyKeepDays, LateEndGrace, RollupInterval / 2);
}

/// <summary>Fails start-up with a message naming the option at fault.</summary>
public sealed class AnalyticsOptionsValidator : IValidateOptions<AnalyticsOptions>
{
    /// <summary>A bound that keeps dates far from overflow; 100 years of roll-ups is more than anyone reads.</summary>
    public const int MaxKeepDays = 36_500;

    public ValidateOptionsResult Validate(string? name, AnalyticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var section = AnalyticsOptions.SectionName;
        if (options.RollupInterval <= TimeSpan.Zero)
        {
            errors.Add($"{section}:RollupInterval must be positive (was {options.RollupInterval}).");
        }
        if (options.KeepDays is < 1 or > MaxKeepDays)
        {
            errors.Add($"{section}:KeepDays must be from 1 to {MaxKeepDays} (was {options.KeepDays}).");
        }
        if (options.HourlyKeepDays is < 2 or > MaxKeepDays)
        {
            errors.Add($"{section}:HourlyKeepDays must be from 2 to {MaxKeepDays} (was {options.HourlyKeepDays}): the 24-hour view reads the last 24 hours.");
        }
        if (options.LateEndGrace < TimeSpan.Zero || options.LateEndGrace > TimeSpan.FromDays(1))
        {
            errors.Add($"{section}:LateEndGrace must be from 0 to 1 day (was {options.LateEndGrace}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
