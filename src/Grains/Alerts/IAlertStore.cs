using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Grains.Alerts;

/// <summary>
/// Alert rules, the outbox and the delivery log (0013_alerts.sql). <see cref="PostgresAlertStore"/> is the real one; the
/// in-memory store serves the development mode. Both pass the same contract tests.
/// </summary>
public interface IAlertStore
{
    Task<IReadOnlyList<AlertRule>> ListRulesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stores a rule made in the pages: a new one when <paramref name="expectedVersion"/> is null, else a change of the one
    /// with that name and version. Audited. Throws <c>JobConflictException</c> (field name) for a name taken,
    /// <see cref="AlertRuleConflictException"/> for a stale version, <see cref="AlertRuleNotFoundException"/> for none.
    /// </summary>
    Task<AlertRule> SaveRuleAsync(AlertRule rule, int? expectedVersion, AdminActor actor, CancellationToken cancellationToken);

    /// <summary>Deletes a rule made in the pages (audited); false when there is none.</summary>
    Task<bool> DeleteRuleAsync(string name, AdminActor actor, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the rules from configuration the stored ones of source 'configuration': new ones added, changed ones updated,
    /// gone ones deleted. A rule made in the pages keeps its name: configuration may not take it (throws, naming it).
    /// </summary>
    Task SyncConfiguredRulesAsync(IReadOnlyList<AlertRule> rules, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Plans up to <paramref name="max"/> pending events, in id order, one silo at a time: reads them with what
    /// <paramref name="plan"/> needs, writes its incidents and deliveries and marks the events processed, in one transaction.
    /// Returns how many events were planned; 0 also when another silo is planning.
    /// </summary>
    Task<int> PlanPendingAsync(Func<AlertBatch, AlertPlan> plan, int max, CancellationToken cancellationToken);

    /// <summary>
    /// The dead man's switch: writes a 'stale' event for each enabled job that a 'stale' rule covers and that has not succeeded
    /// within the rule's window (since the job or rule last changed, if later), when none is open or its reminder is due; and a
    /// 'recovered' event (of that rule) for an open one whose job has succeeded since. Nothing while the scheduler is paused.
    /// One silo at a time. Returns the events written.
    /// </summary>
    Task<int> CheckFreshnessAsync(CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> due deliveries for <paramref name="silo"/> to send, each for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<DueDelivery>> TakeDueDeliveriesAsync(string silo, TimeSpan lease, int max, CancellationToken cancellationToken);

    /// <summary>Records an attempt, if <see cref="DeliveryAttempt.SentBy"/> still holds the delivery; false when it does not.</summary>
    Task<bool> RecordAttemptAsync(DeliveryAttempt attempt, CancellationToken cancellationToken);

    /// <summary>Queues a message outside any event (a test from the pages).</summary>
    Task AddDeliveryAsync(PlannedDelivery delivery, CancellationToken cancellationToken);

    Task<IReadOnlyList<AlertDeliveryView>> ListDeliveriesAsync(AlertDeliveryQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes processed events and finished deliveries older than <paramref name="before"/>; returns how many rows.</summary>
    Task<int> DeleteOldAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
