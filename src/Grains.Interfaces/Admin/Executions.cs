using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Interfaces.Admin;

/// <summary>One row of <c>cronJobExecution</c> without its large text fields.</summary>
[GenerateSerializer, Immutable, Alias("totallator.execution-summary")]
public sealed record ExecutionSummary
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string JobSlug { get; init; }
    /// <summary>Shared by all attempts of one occurrence (<c>s:&lt;instant&gt;</c> scheduled, <c>m:&lt;guid&gt;</c> manual).</summary>
    [Id(2)] public required string OccurrenceKey { get; init; }
    [Id(3)] public required DateTimeOffset ScheduledFor { get; init; }
    [Id(4)] public DateTimeOffset? StartedAt { get; init; }
    [Id(5)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(6)] public long? DurationMs { get; init; }
    [Id(7)] public required ExecutionStatus Status { get; init; }
    /// <summary>Why it was skipped, missed or abandoned, or a note such as a manual override.</summary>
    [Id(8)] public string? StatusReason { get; init; }
    [Id(9)] public int? ExitCode { get; init; }
    [Id(10)] public required TriggerSource TriggeredBy { get; init; }
    [Id(11)] public string? TriggeredByUserId { get; init; }
    [Id(12)] public required int RetryCount { get; init; }
    [Id(13)] public double? MemoryUsageMb { get; init; }
    [Id(14)] public double? CpuUsagePercent { get; init; }
    [Id(15)] public long? ItemsProcessed { get; init; }
    /// <summary>For a dependency run (its first attempt): the upstream executions whose ends signalled it.</summary>
    [Id(16)] public IReadOnlyList<Guid>? UpstreamExecutionIds { get; init; }
}

/// <summary>One execution in full.</summary>
[GenerateSerializer, Immutable, Alias("totallator.execution-details")]
public sealed record ExecutionDetails
{
    [Id(0)] public required ExecutionSummary Summary { get; init; }
    [Id(1)] public required string JobName { get; init; }
    [Id(2)] public string? Output { get; init; }
    [Id(3)] public string? ErrorMessage { get; init; }
    [Id(4)] public string? StackTrace { get; init; }
    /// <summary>Figures the job reported, as a JSON object; null when none.</summary>
    [Id(5)] public string? MetricsJson { get; init; }
    /// <summary>The chain before it: the upstream executions that signalled this occurrence (a dependency run's).</summary>
    [Id(6)] public IReadOnlyList<ChainLink> UpstreamRuns { get; init; } = [];
    /// <summary>The chain after it: the downstream jobs this occurrence signalled, and the runs that consumed the signals.</summary>
    [Id(7)] public IReadOnlyList<ChainLink> DownstreamRuns { get; init; } = [];
}

/// <summary>Which executions of a job to list. Null filters match everything; times filter on <c>scheduledFor</c>.</summary>
[GenerateSerializer, Immutable, Alias("totallator.execution-query")]
public sealed record ExecutionQuery
{
    [Id(0)] public required string Slug { get; init; }
    [Id(1)] public IReadOnlyList<ExecutionStatus>? Statuses { get; init; }
    [Id(2)] public IReadOnlyList<TriggerSource>? TriggerSources { get; init; }
    /// <summary>Inclusive lower bound on <c>scheduledFor</c>.</summary>
    [Id(3)] public DateTimeOffset? From { get; init; }
    /// <summary>Exclusive upper bound on <c>scheduledFor</c>.</summary>
    [Id(4)] public DateTimeOffset? To { get; init; }
    [Id(5)] public int Offset { get; init; }
    /// <summary>Page size, 1 to 500.</summary>
    [Id(6)] public int Limit { get; init; } = 50;
}

/// <summary>A page of executions, newest scheduled first (then newest attempt first).</summary>
[GenerateSerializer, Immutable, Alias("totallator.execution-page")]
public sealed record ExecutionPage
{
    [Id(0)] public required IReadOnlyList<ExecutionSummary> Items { get; init; }
    [Id(1)] public required int Offset { get; init; }
    [Id(2)] public required int Limit { get; init; }
    /// <summary>Whether there are more rows after this page.</summary>
    [Id(3)] public required bool HasMore { get; init; }
}
