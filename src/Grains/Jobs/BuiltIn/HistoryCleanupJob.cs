using System.Globalization;
using Totallator.Grains.Admin;
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
/// Deletes finished executions older than the retention in <c>cronJobConfig</c> (<c>historyRetentionDays</c>, default 30) and
/// audit rows older than <c>auditRetentionDays</c> (default 365). Running rows are never deleted. Also drops the idempotency
/// keys of manual triggers older than 24 hours, and audits the deletion (<c>executions.cleanup</c>) in the same transaction.
/// </summary>
public sealed class HistoryCleanupJob(IJobStore store, IAdminStore adminStore, TimeProvider timeProvider) : ICronJob
{
    public const string Slug = "history-cleanup";

    public async Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var defaults = GlobalSettingsKeys.Defaults;
        var (days, bad) = await RetentionAsync(GlobalSettingsKeys.HistoryRetentionDays, defaults.HistoryRetentionDays, context.CancellationToken);
        var (auditDays, badAudit) = await RetentionAsync(GlobalSettingsKeys.AuditRetentionDays, defaults.AuditRetentionDays, context.CancellationToken);
        // A value edited by hand into nonsense must not be read as "delete everything".
        if ((bad ?? badAudit) is { } message)
        {
            return CronJobResult.Failure(message);
        }
        var now = timeProvider.GetUtcNow();
        var cutoffs = CleanupCutoffs.At(now, days, auditDays);
        var audit = new Interfaces.Admin.AuditEntry { Id = Guid.CreateVersion7(), At = now, Actor = Slug, Action = "executions.cleanup" };
        var result = await adminStore.CleanupAsync(cutoffs, audit, context.CancellationToken);
        return CronJobResult.Succeeded(
            $"Deleted {result.Deleted} execution row(s) completed before {cutoffs.Executions:yyyy-MM-dd HH:mm}Z (retention {days} days) " +
            $"and {result.AuditDeleted} audit row(s) before {cutoffs.Audit:yyyy-MM-dd HH:mm}Z (retention {auditDays} days).",
            result.Deleted, new Dictionary<string, double>
            {
                ["retentionDays"] = days, ["deleted"] = result.Deleted, ["auditRetentionDays"] = auditDays, ["auditDeleted"] = result.AuditDeleted,
            });
    }

    /// <summary>A retention setting in days, or an error when its stored text is not a whole number ≥ 1.</summary>
    private async Task<(int Days, string? Error)> RetentionAsync(string key, int fallback, CancellationToken cancellationToken)
    {
        var text = await store.GetConfigValueAsync(key, cancellationToken);
        if (text is null)
        {
            return (fallback, null);
        }
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) && days >= 1
            ? (days, null)
            : (0, $"cronJobConfig {key} = '{text}' is not a whole number of days ≥ 1; nothing deleted.");
    }
}
