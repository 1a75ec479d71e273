using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Alerts;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Alerts;

/// <summary>The admin side of alerts: thin over <see cref="IAlertStore"/>, with the checks of <see cref="AlertRuleInputs"/>.</summary>
[StatelessWorker]
public sealed class AlertGrain(IAlertStore store, TimeProvider clock, ILogger<AlertGrain> logger) : Grain, IAlertGrain
{
    public Task<IReadOnlyList<AlertRuleView>> ListRulesAsync() =>
        StoreGuard.RunAsync(logger, "listing alert rules", async () =>
            (IReadOnlyList<AlertRuleView>)(await store.ListRulesAsync(CancellationToken.None)).Select(r => r.ToView()).ToList());

    public Task<AlertRuleView> SaveRuleAsync(AlertRuleInput rule, AdminActor actor)
    {
        ArgumentNullException.ThrowIfNull(rule);
        AdminInput.Actor(actor);
        // At PostgreSQL's precision, so the answer equals what a later list reads back.
        var now = Storage.StorePrecision.Microseconds(clock.GetUtcNow());
        var checkedRule = AlertRuleInputs.ToRule(rule, creating: rule.ExpectedVersion is null, Guid.CreateVersion7(), now, actor.Name);
        return StoreGuard.RunAsync(logger, "saving an alert rule", async () =>
            (await store.SaveRuleAsync(checkedRule, rule.ExpectedVersion, actor, CancellationToken.None)).ToView());
    }

    public Task<bool> DeleteRuleAsync(string name, AdminActor actor)
    {
        AdminInput.Actor(actor);
        return StoreGuard.RunAsync(logger, "deleting an alert rule", () => store.DeleteRuleAsync(name, actor, clock.GetUtcNow(), CancellationToken.None));
    }

    public Task<AlertDeliveryView> TestAsync(string name, AdminActor actor)
    {
        AdminInput.Actor(actor);
        return StoreGuard.RunAsync(logger, "queueing a test message", async () =>
        {
            var rule = (await store.ListRulesAsync(CancellationToken.None)).FirstOrDefault(r => r.Name == name)
                ?? throw AlertRuleRefusals.NotFound(name);
            var delivery = AlertPlanner.Test(rule, actor.Name, clock.GetUtcNow(), Guid.CreateVersion7());
            await store.AddDeliveryAsync(delivery, CancellationToken.None);
            return new AlertDeliveryView
            {
                Id = delivery.Id, Rule = rule.Name, Kind = delivery.Kind, Status = "pending", Attempts = 0, CreatedAt = delivery.CreatedAt,
                NextAttemptAt = delivery.CreatedAt, Summary = delivery.Message.Summary,
            };
        });
    }

    public Task<IReadOnlyList<AlertDeliveryView>> ListDeliveriesAsync(AlertDeliveryQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit is < 1 or > 500)
        {
            throw AdminInput.Invalid("limit", "limit is between 1 and 500.");
        }
        if (query.Status is not (null or "pending" or "sent" or "given_up"))
        {
            throw AdminInput.Invalid("status", "status is pending, sent or given_up.");
        }
        return StoreGuard.RunAsync(logger, "listing alert deliveries", () => store.ListDeliveriesAsync(query, CancellationToken.None));
    }
}
