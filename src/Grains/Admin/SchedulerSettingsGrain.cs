using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Totallator.Grains.Hosting;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Admin;

/// <summary>
/// Global settings and history cleanup. A stateless worker: the settings live in <c>cronJobConfig</c>, and the silo that makes a
/// change refreshes its <see cref="SchedulerSettingsCache"/> at once (the others within their refresh interval).
/// </summary>
[StatelessWorker]
public sealed partial class SchedulerSettingsGrain(IAdminStore admin, SchedulerSettingsCache cache, TimeProvider timeProvider,
    ILogger<SchedulerSettingsGrain> logger) : Grain, ISchedulerSettingsGrain
{
    internal const string UpdateAction = "settings.update";
    private const int MaxTimeoutMs = 24 * 60 * 60 * 1000;

    public Task<GlobalSettings> GetAsync() => StoreGuard.RunAsync(logger, "reading the settings",
        async () => GlobalSettingsKeys.Read(await admin.GetConfigAsync(CancellationToken.None)));

    public Task<GlobalSettings> UpdateAsync(GlobalSettingsChange change, AdminActor actor)
    {
        ArgumentNullException.ThrowIfNull(change);
        AdminInput.Actor(actor);
        Validate(change);
        return StoreGuard.RunAsync(logger, "changing the settings", async () =>
        {
            var before = GlobalSettingsKeys.Read(await admin.GetConfigAsync(CancellationToken.None));
            var after = before with
            {
                HistoryRetentionDays = change.HistoryRetentionDays ?? before.HistoryRetentionDays,
                SchedulingPaused = change.SchedulingPaused ?? before.SchedulingPaused,
                DefaultTimeZone = change.DefaultTimeZone ?? before.DefaultTimeZone,
                DefaultTimeoutMs = change.DefaultTimeoutMs ?? before.DefaultTimeoutMs,
                DefaultMaxRetries = change.DefaultMaxRetries ?? before.DefaultMaxRetries,
                DefaultMisfirePolicy = change.DefaultMisfirePolicy ?? before.DefaultMisfirePolicy,
                AuditRetentionDays = change.AuditRetentionDays ?? before.AuditRetentionDays,
            };
            var oldText = GlobalSettingsKeys.ToText(before);
            var newText = GlobalSettingsKeys.ToText(after);
            var changed = GlobalSettingsKeys.All.Where(k => oldText[k] != newText[k]).ToList();
            if (changed.Count == 0)
            {
                return before;
            }
            var audit = new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = timeProvider.GetUtcNow(), Actor = actor.Name, Action = UpdateAction, RequestId = actor.RequestId,
                OldValuesJson = AuditJson.Of(changed.Select(k => KeyValuePair.Create(k, Json(before, k)))),
                NewValuesJson = AuditJson.Of(changed.Select(k => KeyValuePair.Create(k, Json(after, k)))),
            };
            await admin.SetConfigAsync(changed.ToDictionary(k => k, k => newText[k], StringComparer.Ordinal), audit, CancellationToken.None);
            var changedList = string.Join(", ", changed);
            LogSettingsChanged(logger, actor.Name, changedList);
            // This silo applies the change at once; the others at their next refresh.
            return await cache.RefreshAsync(CancellationToken.None);
        });
    }

    public Task<CleanupResult> CleanupAsync(int? olderThanDays, AdminActor actor)
    {
        AdminInput.Actor(actor);
        if (olderThanDays is { } requested)
        {
            AdminInput.Range(requested, 0, 3650, "olderThanDays");
        }
        return StoreGuard.RunAsync(logger, "cleaning up history", async () =>
        {
            var settings = GlobalSettingsKeys.Read(await admin.GetConfigAsync(CancellationToken.None));
            var days = olderThanDays ?? settings.HistoryRetentionDays;
            var now = timeProvider.GetUtcNow();
            var audit = new AuditEntry { Id = Guid.CreateVersion7(), At = now, Actor = actor.Name, Action = "executions.cleanup", RequestId = actor.RequestId };
            // The audit trail keeps its own retention whatever an admin asks of the history: a cleanup never shortens it.
            var result = await admin.CleanupAsync(CleanupCutoffs.At(now, days, settings.AuditRetentionDays), audit, CancellationToken.None);
            LogCleanedUp(logger, actor.Name, result.Deleted, days, result.AuditDeleted, settings.AuditRetentionDays);
            return result;
        });
    }

    public Task<CleanupPreview> PreviewCleanupAsync(int? olderThanDays)
    {
        if (olderThanDays is { } requested)
        {
            AdminInput.Range(requested, 0, 3650, "olderThanDays");
        }
        return StoreGuard.RunAsync(logger, "counting what a cleanup would delete", async () =>
        {
            var settings = GlobalSettingsKeys.Read(await admin.GetConfigAsync(CancellationToken.None));
            var days = olderThanDays ?? settings.HistoryRetentionDays;
            var now = timeProvider.GetUtcNow();
            var cutoffs = CleanupCutoffs.At(now, days, settings.AuditRetentionDays);
            var counted = await admin.CountCleanupAsync(cutoffs, CancellationToken.None);
            return new CleanupPreview
            {
                At = now, OlderThanDays = days, Cutoff = cutoffs.Executions, Executions = counted.Deleted,
                AuditRetentionDays = settings.AuditRetentionDays, AuditRows = counted.AuditDeleted,
            };
        });
    }

    private static void Validate(GlobalSettingsChange change)
    {
        if (change.HistoryRetentionDays is { } days)
        {
            AdminInput.Range(days, 1, 3650, "historyRetentionDays");
        }
        if (change.AuditRetentionDays is { } auditDays)
        {
            AdminInput.Range(auditDays, 1, 3650, "auditRetentionDays");
        }
        if (change.DefaultTimeZone is { } zone && !CronSchedule.TryFindTimeZone(zone, out _))
        {
            throw AdminInput.Invalid("defaultTimeZone", $"Unknown time zone '{zone}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.");
        }
        if (change.DefaultTimeoutMs is { } timeout)
        {
            AdminInput.Range(timeout, 1, MaxTimeoutMs, "defaultTimeoutMs");
        }
        if (change.DefaultMaxRetries is { } retries)
        {
            AdminInput.Range(retries, 0, 100, "defaultMaxRetries");
        }
        if (change.DefaultMisfirePolicy is { } policy && !Enum.IsDefined(policy))
        {
            throw AdminInput.Invalid("defaultMisfirePolicy", $"Unknown misfire policy {(int)policy}; use run_once, skip or run_all.");
        }
    }

    private static JsonNode? Json(GlobalSettings s, string key) => key switch
    {
        GlobalSettingsKeys.HistoryRetentionDays => s.HistoryRetentionDays,
        GlobalSettingsKeys.SchedulingPaused => s.SchedulingPaused,
        GlobalSettingsKeys.DefaultTimeZone => s.DefaultTimeZone,
        GlobalSettingsKeys.DefaultTimeoutMs => s.DefaultTimeoutMs,
        GlobalSettingsKeys.DefaultMaxRetries => s.DefaultMaxRetries,
        GlobalSettingsKeys.DefaultMisfirePolicy => s.DefaultMisfirePolicy.ToText(),
        GlobalSettingsKeys.AuditRetentionDays => s.AuditRetentionDays,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Not a global setting."),
    };
}
