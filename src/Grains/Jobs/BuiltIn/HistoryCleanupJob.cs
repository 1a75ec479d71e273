using System.Globalization;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>Options of the built-in history cleanup, section <c>Cron:BuiltIn:HistoryCleanup</c>.</summary>
public sealed class HistoryCleanupOptions
{
    public const string SectionName = "Cron:BuiltIn:HistoryCleanup";

    /// <summary>On by default: without it history grows without bound. Default: true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When it runs. Default: daily at 04:17 UTC (off the hour, away from other nightly work).</summary>
    public string Schedule { get; set; } = "17 4 * * *";

    /// <summary>Default: 10 minutes.</summary>
    public int TimeoutMs { get; set; } = 600_000;
}

/// <summary>
/// Deletes finished executions older than the retention in <c>cronJobConfig</c> (<c>historyRetentionDays</c>, default 30).
/// Running rows are never deleted. Also drops the idempotency keys of manual triggers older than 24 hours, and audits the
/// deletion (<c>executions.cleanup</c>) in the same transaction.
/// </summary>
public sealed class HistoryCleanupJob(IJobStore store, IAdminStore adminStore, TimeProvider timeProvider) : ICronJob
{
    public const string Slug = "history-cleanup";
    public const string RetentionKey = "historyRetentionDays";
    private const int DefaultRetentionDays = 30;

    public async Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var text = await store.GetConfigValueAsync(RetentionKey, context.CancellationToken);
        var days = DefaultRetentionDays;
        if (text is not null && (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out days) || days < 1))
        {
            return CronJobResult.Failure($"cronJobConfig {RetentionKey} = '{text}' is not a whole number of days ≥ 1; nothing deleted.");
        }
        var now = timeProvider.GetUtcNow();
        var cutoff = now.AddDays(-days);
        var audit = new Interfaces.Admin.AuditEntry { Id = Guid.CreateVersion7(), At = now, Actor = Slug, Action = "executions.cleanup" };
        var deleted = await adminStore.CleanupAsync(cutoff, days, now.AddHours(-24), audit, context.CancellationToken);
        return CronJobResult.Succeeded(
            $"Deleted {deleted} execution row(s) completed before {cutoff:yyyy-MM-dd HH:mm}Z (retention {days} days).",
            deleted, new Dictionary<string, double> { ["retentionDays"] = days, ["deleted"] = deleted });
    }
}
