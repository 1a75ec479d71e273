using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Interfaces.Alerts;

/// <summary>
/// Alert rules, their delivery log, and test messages. A stateless worker: use key 0. Rules from configuration are listed
/// (read-only: configuration owns them); rules made here are kept in PostgreSQL. Every change is audited.
/// </summary>
[Alias("totallator.IAlertGrain")]
public interface IAlertGrain : IGrainWithIntegerKey
{
    /// <summary>All rules, by name. Never a secret or a webhook URL's path (<see cref="AlertRuleView.Destination"/>).</summary>
    [Alias("ListRules")]
    Task<IReadOnlyList<AlertRuleView>> ListRulesAsync();

    /// <summary>
    /// Creates the rule (<see cref="AlertRuleInput.ExpectedVersion"/> null) or changes it. Throws
    /// <see cref="InvalidAdminInputException"/> naming the field for bad input, <see cref="AlertRuleConflictException"/> for a
    /// stale version, <c>JobConflictException</c> for a name taken, <see cref="AlertRuleNotFoundException"/> for an unknown rule, and refuses rules from
    /// configuration.
    /// </summary>
    [Alias("SaveRule")]
    Task<AlertRuleView> SaveRuleAsync(AlertRuleInput rule, AdminActor actor);

    /// <summary>Deletes a rule made in the pages (its deliveries go with it); false when there is none.</summary>
    [Alias("DeleteRule")]
    Task<bool> DeleteRuleAsync(string name, AdminActor actor);

    /// <summary>Queues a test message to the rule's destination; the delivery log shows how it went.</summary>
    [Alias("Test")]
    Task<AlertDeliveryView> TestAsync(string name, AdminActor actor);

    /// <summary>The delivery log, newest first.</summary>
    [Alias("ListDeliveries")]
    Task<IReadOnlyList<AlertDeliveryView>> ListDeliveriesAsync(AlertDeliveryQuery query);
}

/// <summary>What an alert is about. Text forms: failed, timed_out, abandoned, missed, recovered, stale, paused.</summary>
public enum AlertEvent
{
    Failed, TimedOut, Abandoned, Missed, Recovered, Stale, Paused,
}

/// <summary>Where messages go: a JSON webhook signed with HMAC-SHA256, or a Slack-compatible incoming webhook.</summary>
public enum AlertChannel
{
    Webhook, Slack,
}

public static class AlertText
{
    public static string ToText(this AlertEvent e) => e switch
    {
        AlertEvent.Failed => "failed", AlertEvent.TimedOut => "timed_out", AlertEvent.Abandoned => "abandoned", AlertEvent.Missed => "missed",
        AlertEvent.Recovered => "recovered", AlertEvent.Stale => "stale", AlertEvent.Paused => "paused",
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    public static bool TryParseEvent(string? text, out AlertEvent e)
    {
        foreach (var candidate in Enum.GetValues<AlertEvent>())
        {
            if (string.Equals(candidate.ToText(), text, StringComparison.Ordinal))
            {
                e = candidate;
                return true;
            }
        }
        e = default;
        return false;
    }

    public static string ToText(this AlertChannel c) => c == AlertChannel.Slack ? "slack" : "webhook";

    public static bool TryParseChannel(string? text, out AlertChannel c)
    {
        c = text == "slack" ? AlertChannel.Slack : AlertChannel.Webhook;
        return text is "slack" or "webhook";
    }
}

/// <summary>A rule as admins see it.</summary>
[GenerateSerializer, Immutable, Alias("totallator.alert-rule-view")]
public sealed record AlertRuleView
{
    [Id(0)] public required string Name { get; init; }
    /// <summary>The one job the rule watches; null for every job.</summary>
    [Id(1)] public string? JobSlug { get; init; }
    [Id(2)] public required IReadOnlyList<AlertEvent> Events { get; init; }
    [Id(3)] public required AlertChannel Channel { get; init; }
    /// <summary>The URL's scheme and host only: its path and query may be a secret (a Slack webhook's token is in its path).</summary>
    [Id(4)] public required string Destination { get; init; }
    [Id(5)] public required bool HasSecret { get; init; }
    [Id(6)] public TimeSpan? ExpectSuccessWithin { get; init; }
    [Id(7)] public required TimeSpan RepeatEvery { get; init; }
    [Id(8)] public required bool IsEnabled { get; init; }
    /// <summary><c>configuration</c> (read-only here) or <c>api</c>.</summary>
    [Id(9)] public required string Source { get; init; }
    [Id(10)] public required int Version { get; init; }
    [Id(11)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(12)] public required string UpdatedBy { get; init; }
}

/// <summary>A rule to create or change. On a change, a null <see cref="Url"/> or <see cref="Secret"/> keeps the stored one.</summary>
[GenerateSerializer, Immutable, Alias("totallator.alert-rule-input")]
public sealed record AlertRuleInput
{
    /// <summary>1 to 63 lower-case letters, digits and dashes; on a change, the rule's name from the URL.</summary>
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? JobSlug { get; init; }
    [Id(2)] public IReadOnlyList<string> Events { get; init; } = [];
    /// <summary><c>webhook</c> (the default) or <c>slack</c>.</summary>
    [Id(3)] public string Channel { get; init; } = "webhook";
    [Id(4)] public string? Url { get; init; }
    /// <summary>The HMAC key of a webhook; empty text removes it.</summary>
    [Id(5)] public string? Secret { get; init; }
    [Id(6)] public TimeSpan? ExpectSuccessWithin { get; init; }
    [Id(7)] public TimeSpan? RepeatEvery { get; init; }
    [Id(8)] public bool IsEnabled { get; init; } = true;
    /// <summary>Null creates the rule; else the version the change was made on.</summary>
    [Id(9)] public int? ExpectedVersion { get; init; }
}

/// <summary>One message of a rule about one event, and how its delivery went.</summary>
[GenerateSerializer, Immutable, Alias("totallator.alert-delivery-view")]
public sealed record AlertDeliveryView
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string Rule { get; init; }
    [Id(2)] public string? JobSlug { get; init; }
    /// <summary>alert, reminder, recovered, paused or test.</summary>
    [Id(3)] public required string Kind { get; init; }
    [Id(4)] public string? Event { get; init; }
    /// <summary>pending, sent or given_up.</summary>
    [Id(5)] public required string Status { get; init; }
    [Id(6)] public required int Attempts { get; init; }
    [Id(7)] public int? LastResponseCode { get; init; }
    [Id(8)] public string? LastError { get; init; }
    [Id(9)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(10)] public DateTimeOffset? SentAt { get; init; }
    [Id(11)] public DateTimeOffset? NextAttemptAt { get; init; }
    [Id(12)] public string? Summary { get; init; }
}

[GenerateSerializer, Immutable, Alias("totallator.alert-delivery-query")]
public sealed record AlertDeliveryQuery
{
    [Id(0)] public string? Rule { get; init; }
    [Id(1)] public string? JobSlug { get; init; }
    [Id(2)] public string? Status { get; init; }
    [Id(3)] public int Limit { get; init; } = 100;
}

/// <summary>The rule changed since the caller read it (optimistic concurrency). Nothing was stored.</summary>
[GenerateSerializer, Alias("totallator.alert-rule-conflict")]
public sealed class AlertRuleConflictException : Exception
{
    public AlertRuleConflictException() { }
    public AlertRuleConflictException(string message) : base(message) { }
    public AlertRuleConflictException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>No rule by that name.</summary>
[GenerateSerializer, Alias("totallator.alert-rule-not-found")]
public sealed class AlertRuleNotFoundException : Exception
{
    public AlertRuleNotFoundException() { }
    public AlertRuleNotFoundException(string message) : base(message) { }
    public AlertRuleNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
