using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totallator.Client;

/// <summary>One execution (one attempt of one occurrence) without its large text fields.</summary>
public sealed record ExecutionSummary
{
    /// <summary>The execution's id.</summary>
    public Guid Id { get; init; }
    /// <summary>Its job.</summary>
    public string JobSlug { get; init; } = "";
    /// <summary>Shared by all attempts of one occurrence.</summary>
    public string OccurrenceKey { get; init; } = "";
    /// <summary>The instant the occurrence was due.</summary>
    public DateTimeOffset ScheduledFor { get; init; }
    /// <summary>When the attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }
    /// <summary>When the attempt ended.</summary>
    public DateTimeOffset? CompletedAt { get; init; }
    /// <summary>How long it ran.</summary>
    public long? DurationMs { get; init; }
    /// <summary>Its state.</summary>
    public ExecutionStatus Status { get; init; }
    /// <summary>Why it was skipped, missed, abandoned or cancelled, or a note such as a manual override.</summary>
    public string? StatusReason { get; init; }
    /// <summary>The exit code of a command job.</summary>
    public int? ExitCode { get; init; }
    /// <summary>What started it.</summary>
    public TriggerSource TriggeredBy { get; init; }
    /// <summary>Who started it (manual and one-off runs).</summary>
    public string? TriggeredByUserId { get; init; }
    /// <summary>0 for the first attempt of the occurrence, then 1, 2, ...</summary>
    public int RetryCount { get; init; }
    /// <summary>Peak memory use.</summary>
    public double? MemoryUsageMb { get; init; }
    /// <summary>CPU use.</summary>
    public double? CpuUsagePercent { get; init; }
    /// <summary>Items the job reported as processed.</summary>
    public long? ItemsProcessed { get; init; }
    /// <summary>For a dependency run: the upstream executions that released it.</summary>
    public IReadOnlyList<Guid>? UpstreamExecutionIds { get; init; }
}

/// <summary>One execution in full: with its output, error message and stack trace.</summary>
public sealed record ExecutionDetails
{
    /// <summary>The execution's row.</summary>
    public ExecutionSummary Summary { get; init; } = new();
    /// <summary>Its job's name.</summary>
    public string JobName { get; init; } = "";
    /// <summary>What the job reported as output.</summary>
    public string? Output { get; init; }
    /// <summary>Why it failed.</summary>
    public string? ErrorMessage { get; init; }
    /// <summary>Where it failed.</summary>
    public string? StackTrace { get; init; }
    /// <summary>Figures the job reported, as a JSON object in text; null when none.</summary>
    public string? MetricsJson { get; init; }
    /// <summary>The upstream executions that released this occurrence.</summary>
    public IReadOnlyList<ChainLink> UpstreamRuns { get; init; } = [];
    /// <summary>The downstream jobs this occurrence released, and their runs.</summary>
    public IReadOnlyList<ChainLink> DownstreamRuns { get; init; } = [];

    /// <summary>The metrics as JSON, or null.</summary>
    [JsonIgnore]
    public JsonElement? Metrics => MetricsJson is null ? null : JsonDocument.Parse(MetricsJson).RootElement.Clone();
}

/// <summary>One execution of a dependency chain next to the one looked at.</summary>
/// <param name="JobSlug">Its job.</param>
/// <param name="ExecutionId">The execution; null for a signal its downstream has not consumed yet.</param>
/// <param name="Status">Its status, when there is an execution.</param>
public sealed record ChainLink(string JobSlug, Guid? ExecutionId, ExecutionStatus? Status);

/// <summary>Which executions of a job to list. Null filters match everything; times filter on the scheduled instant.</summary>
public sealed record ExecutionQuery
{
    /// <summary>Executions in any of these states.</summary>
    public IReadOnlyList<ExecutionStatus>? Statuses { get; init; }
    /// <summary>Executions started by any of these.</summary>
    public IReadOnlyList<TriggerSource>? TriggerSources { get; init; }
    /// <summary>Inclusive lower bound.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Exclusive upper bound.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>Rows to skip.</summary>
    public int? Offset { get; init; }
    /// <summary>Page size, 1 to 500; the API's default is 50.</summary>
    public int? Limit { get; init; }
}

/// <summary>A page of executions, newest first.</summary>
public sealed record ExecutionPage
{
    /// <summary>The executions of this page.</summary>
    public IReadOnlyList<ExecutionSummary> Items { get; init; } = [];
    /// <summary>The page's offset.</summary>
    public int Offset { get; init; }
    /// <summary>The page's size.</summary>
    public int Limit { get; init; }
    /// <summary>Whether there are more rows after this page.</summary>
    public bool HasMore { get; init; }
}

/// <summary>The answer to a cancel request: the execution was asked to stop (it ends as failed, reason <c>cancelled</c>).</summary>
/// <param name="ExecutionId">The execution.</param>
/// <param name="CancellationRequested">Always true on success.</param>
public sealed record CancelResult(Guid ExecutionId, bool CancellationRequested);

/// <summary>What a history cleanup deleted.</summary>
public sealed record CleanupResult
{
    /// <summary>Ended executions deleted.</summary>
    public int Deleted { get; init; }
    /// <summary>Audit rows past the audit retention deleted.</summary>
    public int AuditDeleted { get; init; }
}

/// <summary>What a history cleanup would delete now.</summary>
public sealed record CleanupPreview
{
    /// <summary>When counted.</summary>
    public DateTimeOffset At { get; init; }
    /// <summary>The age used.</summary>
    public int OlderThanDays { get; init; }
    /// <summary>Executions that ended before this would go.</summary>
    public DateTimeOffset Cutoff { get; init; }
    /// <summary>Ended executions that would go.</summary>
    public int Executions { get; init; }
    /// <summary>The audit retention.</summary>
    public int AuditRetentionDays { get; init; }
    /// <summary>Audit rows that would go.</summary>
    public int AuditRows { get; init; }
}
