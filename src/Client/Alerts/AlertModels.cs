namespace Totallator.Client;

/// <summary>What an alert is about.</summary>
public enum AlertEvent
{
    /// <summary>A final attempt failed.</summary>
    Failed,
    /// <summary>A final attempt timed out.</summary>
    TimedOut,
    /// <summary>A run was abandoned (its silo died).</summary>
    Abandoned,
    /// <summary>An occurrence was missed.</summary>
    Missed,
    /// <summary>A failing job succeeded again.</summary>
    Recovered,
    /// <summary>No success within the rule's window.</summary>
    Stale,
    /// <summary>The job's circuit breaker paused it.</summary>
    Paused,
}

/// <summary>Where alert messages go.</summary>
public enum AlertChannel
{
    /// <summary>A JSON webhook signed with HMAC-SHA256.</summary>
    Webhook,
    /// <summary>A Slack-compatible incoming webhook.</summary>
    Slack,
}

/// <summary>An alert rule as the API shows it: never a secret, never a webhook URL's path.</summary>
public sealed record AlertRuleView
{
    /// <summary>The rule's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>The one job it watches; null for every job.</summary>
    public string? JobSlug { get; init; }
    /// <summary>What it alerts on.</summary>
    public IReadOnlyList<AlertEvent> Events { get; init; } = [];
    /// <summary>Where messages go.</summary>
    public AlertChannel Channel { get; init; }
    /// <summary>The URL's scheme and host only.</summary>
    public string Destination { get; init; } = "";
    /// <summary>Whether a webhook secret is set.</summary>
    public bool HasSecret { get; init; }
    /// <summary>The window of the <c>stale</c> event.</summary>
    public TimeSpan? ExpectSuccessWithin { get; init; }
    /// <summary>How often a reminder is sent while the condition lasts.</summary>
    public TimeSpan RepeatEvery { get; init; }
    /// <summary>Whether the rule is on.</summary>
    public bool IsEnabled { get; init; }
    /// <summary><c>configuration</c> (read-only through the API) or <c>api</c>.</summary>
    public string Source { get; init; } = "";
    /// <summary>The version to send back as <see cref="AlertRuleInput.ExpectedVersion"/> when changing the rule.</summary>
    public int Version { get; init; }
    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Who changed it last.</summary>
    public string UpdatedBy { get; init; } = "";
}

/// <summary>A rule to create or change. On a change, a null <see cref="Url"/> or <see cref="Secret"/> keeps the stored one.</summary>
public sealed record AlertRuleInput
{
    /// <summary>1 to 63 lower-case letters, digits and dashes (on a change, the rule's name is taken from the call).</summary>
    public string Name { get; init; } = "";
    /// <summary>The one job to watch; null for every job.</summary>
    public string? JobSlug { get; init; }
    /// <summary>Events: <c>failed</c>, <c>timed_out</c>, <c>abandoned</c>, <c>missed</c>, <c>recovered</c>, <c>stale</c>, <c>paused</c>.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];
    /// <summary><c>webhook</c> (the default) or <c>slack</c>.</summary>
    public string Channel { get; init; } = "webhook";
    /// <summary>The destination URL.</summary>
    public string? Url { get; init; }
    /// <summary>The HMAC key of a webhook; empty text removes it.</summary>
    public string? Secret { get; init; }
    /// <summary>The window of the <c>stale</c> event.</summary>
    public TimeSpan? ExpectSuccessWithin { get; init; }
    /// <summary>How often to remind.</summary>
    public TimeSpan? RepeatEvery { get; init; }
    /// <summary>Whether the rule is on.</summary>
    public bool IsEnabled { get; init; } = true;
    /// <summary>Null creates the rule; else the <see cref="AlertRuleView.Version"/> the change was made on.</summary>
    public int? ExpectedVersion { get; init; }

    /// <summary>Leaves the secret out, so that logging the record does not leak it.</summary>
    public override string ToString() => $"AlertRuleInput {{ Name = {Name}, JobSlug = {JobSlug}, Channel = {Channel}, ExpectedVersion = {ExpectedVersion} }}";
}

/// <summary>One message of a rule about one event, and how its delivery went.</summary>
public sealed record AlertDeliveryView
{
    /// <summary>The delivery's id.</summary>
    public Guid Id { get; init; }
    /// <summary>The rule.</summary>
    public string Rule { get; init; } = "";
    /// <summary>The job concerned.</summary>
    public string? JobSlug { get; init; }
    /// <summary><c>alert</c>, <c>reminder</c>, <c>recovered</c>, <c>paused</c> or <c>test</c>.</summary>
    public string Kind { get; init; } = "";
    /// <summary>The event.</summary>
    public string? Event { get; init; }
    /// <summary><c>pending</c>, <c>sent</c> or <c>given_up</c>.</summary>
    public string Status { get; init; } = "";
    /// <summary>Attempts so far.</summary>
    public int Attempts { get; init; }
    /// <summary>The destination's last HTTP status.</summary>
    public int? LastResponseCode { get; init; }
    /// <summary>The last error.</summary>
    public string? LastError { get; init; }
    /// <summary>When it was queued.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When it was sent.</summary>
    public DateTimeOffset? SentAt { get; init; }
    /// <summary>When the next attempt is due.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
    /// <summary>The message's summary.</summary>
    public string? Summary { get; init; }
}

/// <summary>Which deliveries to list.</summary>
public sealed record AlertDeliveryQuery
{
    /// <summary>Of this rule.</summary>
    public string? Rule { get; init; }
    /// <summary>About this job.</summary>
    public string? JobSlug { get; init; }
    /// <summary><c>pending</c>, <c>sent</c> or <c>given_up</c>.</summary>
    public string? Status { get; init; }
    /// <summary>How many; the API's default is 100.</summary>
    public int? Limit { get; init; }
}
