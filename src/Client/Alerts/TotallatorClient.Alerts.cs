namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>Every alert rule, by name; destinations as scheme and host only, never a secret (viewer).</summary>
    Task<IReadOnlyList<AlertRuleView>> ListAlertRulesAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a rule (admin); <see cref="AlertRuleInput.ExpectedVersion"/> must be null.</summary>
    Task<AlertRuleView> CreateAlertRuleAsync(AlertRuleInput rule, CancellationToken cancellationToken = default);

    /// <summary>Changes a rule made through the API (admin); <see cref="AlertRuleInput.ExpectedVersion"/> is required.</summary>
    /// <exception cref="TotallatorPreconditionFailedException">The rule changed since that version.</exception>
    Task<AlertRuleView> UpdateAlertRuleAsync(string name, AlertRuleInput rule, CancellationToken cancellationToken = default);

    /// <summary>Deletes a rule made through the API, and its delivery log (admin).</summary>
    Task DeleteAlertRuleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Queues a test message to the rule's destination (admin); the delivery log tells how it went.</summary>
    Task<AlertDeliveryView> TestAlertRuleAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The delivery log, newest first (viewer).</summary>
    Task<IReadOnlyList<AlertDeliveryView>> ListAlertDeliveriesAsync(AlertDeliveryQuery? query = null, CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<IReadOnlyList<AlertRuleView>> ListAlertRulesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<AlertRuleView>>(HttpMethod.Get, "alerts/rules", null, cancellationToken);

    /// <inheritdoc />
    public Task<AlertRuleView> CreateAlertRuleAsync(AlertRuleInput rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return SendAsync<AlertRuleView>(HttpMethod.Post, "alerts/rules", rule, cancellationToken);
    }

    /// <inheritdoc />
    public Task<AlertRuleView> UpdateAlertRuleAsync(string name, AlertRuleInput rule, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return SendAsync<AlertRuleView>(HttpMethod.Put, "alerts/rules/" + Segment(name), rule, cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteAlertRuleAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, "alerts/rules/" + Segment(name), null, cancellationToken);

    /// <inheritdoc />
    public Task<AlertDeliveryView> TestAlertRuleAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync<AlertDeliveryView>(HttpMethod.Post, $"alerts/rules/{Segment(name)}/test", null, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<AlertDeliveryView>> ListAlertDeliveriesAsync(AlertDeliveryQuery? query = null, CancellationToken cancellationToken = default)
    {
        var q = query ?? new AlertDeliveryQuery();
        var text = new QueryString().Add("rule", q.Rule).Add("job", q.JobSlug).Add("status", q.Status).Add("limit", q.Limit);
        return SendAsync<IReadOnlyList<AlertDeliveryView>>(HttpMethod.Get, "alerts/deliveries" + text, null, cancellationToken);
    }
}
