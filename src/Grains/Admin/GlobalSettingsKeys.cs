using System.Globalization;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Admin;

/// <summary>The <c>cronJobConfig</c> keys of <see cref="GlobalSettings"/>, and how their stored text reads.</summary>
public static class GlobalSettingsKeys
{
    public const string HistoryRetentionDays = "historyRetentionDays";
    public const string SchedulingPaused = "schedulingPaused";
    public const string DefaultTimeZone = "defaultTimeZone";
    public const string DefaultTimeoutMs = "defaultTimeoutMs";
    public const string DefaultMaxRetries = "defaultMaxRetries";
    public const string DefaultMisfirePolicy = "defaultMisfirePolicy";
    public const string AuditRetentionDays = "auditRetentionDays";

    public static readonly IReadOnlyList<string> All =
        [HistoryRetentionDays, SchedulingPaused, DefaultTimeZone, DefaultTimeoutMs, DefaultMaxRetries, DefaultMisfirePolicy, AuditRetentionDays];

    /// <summary>The settings when the table says nothing (the values migration 0005 seeds).</summary>
    public static GlobalSettings Defaults { get; } = new()
    {
        HistoryRetentionDays = 30, SchedulingPaused = false, DefaultTimeZone = "UTC", DefaultTimeoutMs = 60_000, DefaultMaxRetries = 0,
        DefaultMisfirePolicy = MisfirePolicy.RunOnce, AuditRetentionDays = 365,
    };

    /// <summary>
    /// Reads the settings from the rows of <c>cronJobConfig</c>. A missing or unreadable value (edited by hand) falls back to its
    /// default rather than failing every reader; the admin page shows what is in effect.
    /// </summary>
    public static GlobalSettings Read(IReadOnlyDictionary<string, ConfigValue> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        int Int(string key, int fallback) =>
            rows.TryGetValue(key, out var v) && int.TryParse(v.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : fallback;
        var d = Defaults;
        var changed = All.Where(rows.ContainsKey).Select(k => rows[k]).Where(v => v.UpdatedBy != "migration")
            .OrderByDescending(v => v.UpdatedAt).FirstOrDefault();
        return new GlobalSettings
        {
            HistoryRetentionDays = Int(HistoryRetentionDays, d.HistoryRetentionDays),
            SchedulingPaused = rows.TryGetValue(SchedulingPaused, out var p) && bool.TryParse(p.Value, out var paused) ? paused : d.SchedulingPaused,
            DefaultTimeZone = rows.TryGetValue(DefaultTimeZone, out var z) && !string.IsNullOrWhiteSpace(z.Value) ? z.Value : d.DefaultTimeZone,
            DefaultTimeoutMs = Int(DefaultTimeoutMs, d.DefaultTimeoutMs),
            DefaultMaxRetries = Int(DefaultMaxRetries, d.DefaultMaxRetries),
            DefaultMisfirePolicy = rows.TryGetValue(DefaultMisfirePolicy, out var m) && MisfirePolicyText.TryParse(m.Value, out var policy) ? policy : d.DefaultMisfirePolicy,
            AuditRetentionDays = Int(AuditRetentionDays, d.AuditRetentionDays),
            UpdatedAt = changed?.UpdatedAt,
            UpdatedBy = changed?.UpdatedBy,
        };
    }

    /// <summary>The stored text of each setting.</summary>
    public static IReadOnlyDictionary<string, string> ToText(GlobalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [HistoryRetentionDays] = settings.HistoryRetentionDays.ToString(CultureInfo.InvariantCulture),
            [SchedulingPaused] = settings.SchedulingPaused ? "true" : "false",
            [DefaultTimeZone] = settings.DefaultTimeZone,
            [DefaultTimeoutMs] = settings.DefaultTimeoutMs.ToString(CultureInfo.InvariantCulture),
            [DefaultMaxRetries] = settings.DefaultMaxRetries.ToString(CultureInfo.InvariantCulture),
            [DefaultMisfirePolicy] = settings.DefaultMisfirePolicy.ToText(),
            [AuditRetentionDays] = settings.AuditRetentionDays.ToString(CultureInfo.InvariantCulture),
        };
    }
}
