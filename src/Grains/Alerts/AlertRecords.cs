using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Grains.Alerts;

/// <summary>A row of <c>cronAlertRule</c>, secret and URL included: only the sender and the store see them.</summary>
public sealed record AlertRule
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public string? JobSlug { get; init; }
    public required IReadOnlySet<AlertEvent> Events { get; init; }
    public required AlertChannel Channel { get; init; }
    public required string Url { get; init; }
    public string? Secret { get; init; }
    public TimeSpan? ExpectSuccessWithin { get; init; }
    public required TimeSpan RepeatEvery { get; init; }
    public required bool IsEnabled { get; init; }
    public required string Source { get; init; }
    public int Version { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
    public string UpdatedBy { get; init; } = "";

    /// <summary>Whether the rule watches the job.</summary>
    public bool Covers(string jobSlug) => JobSlug is null || JobSlug == jobSlug;

    public AlertRuleView ToView() => new()
    {
        Name = Name, JobSlug = JobSlug, Events = [.. Events.Order()], Channel = Channel, Destination = AlertUrls.Destination(Url),
        HasSecret = !string.IsNullOrEmpty(Secret), ExpectSuccessWithin = ExpectSuccessWithin, RepeatEvery = RepeatEvery,
        IsEnabled = IsEnabled, Source = Source, Version = Version, UpdatedAt = UpdatedAt, UpdatedBy = UpdatedBy,
    };
}

public static class AlertRuleSources
{
    public const string Configuration = "configuration";
    public const string Api = "api";
}

/// <summary>A pending row of the outbox (<c>cronAlertEvent</c>).</summary>
public sealed record AlertEventRecord
{
    public required long Id { get; init; }
    public required Guid JobId { get; init; }
    public Guid? ExecutionId { get; init; }
    public required AlertEvent Kind { get; init; }
    /// <summary>For 'stale' and the 'recovered' that ends it: the rule whose window it is.</summary>
    public Guid? RuleId { get; init; }
    public string? Detail { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>What a message says of the job an event is about; <paramref name="ChangedAt"/>: when it was last changed (disabled, if it is).</summary>
public sealed record AlertJob(Guid Id, string Slug, string Name, bool IsEnabled, bool IsDeleted, DateTimeOffset ChangedAt = default);

/// <summary>What a message says of the attempt an event is about.</summary>
public sealed record AlertExecution
{
    public required Guid Id { get; init; }
    public required string Status { get; init; }
    public required DateTimeOffset ScheduledFor { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public long? DurationMs { get; init; }
    public int? ExitCode { get; init; }
    public required int RetryCount { get; init; }
    public string? ErrorMessage { get; init; }
    public string? StatusReason { get; init; }
}

/// <summary>An open incident of a rule for a job (<c>cronAlertState</c>).</summary>
public sealed record AlertState
{
    public required Guid RuleId { get; init; }
    public required Guid JobId { get; init; }
    /// <summary><c>failing</c> or <c>stale</c>.</summary>
    public required string Kind { get; init; }
    public required DateTimeOffset OpenedAt { get; init; }
    public required DateTimeOffset LastSentAt { get; init; }
    public required int Suppressed { get; init; }
    public required int Total { get; init; }
}

public static class AlertStateKinds
{
    public const string Failing = "failing";
    public const string Stale = "stale";
}

/// <summary>A message to send: one per rule and event (the store refuses a second).</summary>
public sealed record PlannedDelivery
{
    public required Guid Id { get; init; }
    public long? EventId { get; init; }
    public required Guid RuleId { get; init; }
    public Guid? JobId { get; init; }
    /// <summary>alert, reminder, recovered, paused or test.</summary>
    public required string Kind { get; init; }
    public required AlertMessage Message { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A delivery taken by a silo to send, with where to.</summary>
public sealed record DueDelivery
{
    public required Guid Id { get; init; }
    public required string Rule { get; init; }
    public required int Attempts { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string PayloadJson { get; init; }
    public required AlertChannel Channel { get; init; }
    public required string Url { get; init; }
    public string? Secret { get; init; }
}

/// <summary>How one attempt to send went.</summary>
public sealed record DeliveryAttempt
{
    public required Guid Id { get; init; }
    public required string SentBy { get; init; }
    public required DateTimeOffset At { get; init; }
    public required bool Delivered { get; init; }
    public int? ResponseCode { get; init; }
    public string? Error { get; init; }
    /// <summary>When to try again; null when delivered or given up.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }
}
