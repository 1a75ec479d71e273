using System.Text.Json;

namespace Totallator.Client;

/// <summary>A job as the API shows it: configuration, where its schedule came from, next fire times, last run and statistics.</summary>
public sealed record JobView
{
    /// <summary>The job's id.</summary>
    public Guid Id { get; init; }
    /// <summary>The job's address in the API: 1-63 lower-case letters, digits and dashes.</summary>
    public string Slug { get; init; } = "";
    /// <summary>Display name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Description.</summary>
    public string Description { get; init; } = "";
    /// <summary>The schedule as written, possibly with <c>${VAR}</c> references; empty for a job that only runs after others.</summary>
    public string Schedule { get; init; } = "";
    /// <summary>The schedule after substitution; null when it is invalid or reads a variable that may not be shown.</summary>
    public string? ResolvedSchedule { get; init; }
    /// <summary>Where the schedule comes from: <c>code</c>, <c>configuration</c>, <c>admin</c> or <c>environment</c>.</summary>
    public string ScheduleSource { get; init; } = "";
    /// <summary>IANA time zone of the schedule.</summary>
    public string TimeZone { get; init; } = "";
    /// <summary>Whether the schedule is enabled.</summary>
    public bool IsEnabled { get; init; }
    /// <summary>Why the job cannot be scheduled; null when valid.</summary>
    public string? InvalidReason { get; init; }
    /// <summary>In the database but no longer defined in code or configuration.</summary>
    public bool IsOrphaned { get; init; }
    /// <summary>Where the job is defined: <c>code</c>, <c>configuration</c> or <c>api</c>.</summary>
    public string Source { get; init; } = "";
    /// <summary>Per-attempt timeout in milliseconds.</summary>
    public int TimeoutMs { get; init; }
    /// <summary>Further attempts after a failure.</summary>
    public int MaxRetries { get; init; }
    /// <summary>What happens to occurrences missed during downtime.</summary>
    public MisfirePolicy MisfirePolicy { get; init; }
    /// <summary>The most missed occurrences <see cref="MisfirePolicy.RunAll"/> runs.</summary>
    public int MisfireRunAllCap { get; init; }
    /// <summary>Fields an admin changed; they win over the definition's values.</summary>
    public IReadOnlyList<string> OverriddenFields { get; init; } = [];
    /// <summary>The next fire instants (up to 5) in the job's zone; empty when disabled, invalid, orphaned or globally paused.</summary>
    public IReadOnlyList<DateTimeOffset> NextFireTimes { get; init; } = [];
    /// <summary>The latest execution that started, if any.</summary>
    public ExecutionSummary? LastRun { get; init; }
    /// <summary>Executions of the job running now.</summary>
    public IReadOnlyList<Guid> RunningExecutionIds { get; init; } = [];
    /// <summary>Performance figures (the list leaves the duration percentiles out; one job read alone has them).</summary>
    public JobStatistics Statistics { get; init; } = new();
    /// <summary>Optimistic-concurrency version: the HTTP ETag is this number in quotes. Pass it back to edit safely.</summary>
    public int Version { get; init; }
    /// <summary>When the job was first stored.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When the job's configuration last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Who changed it last.</summary>
    public string? LastModifiedBy { get; init; }
    /// <summary>The latest occurrence the scheduler dealt with (run, skipped or missed).</summary>
    public DateTimeOffset? LastScheduledFor { get; init; }
    /// <summary>The jobs this one runs after.</summary>
    public IReadOnlyList<UpstreamView> Upstreams { get; init; } = [];
    /// <summary>The jobs that run after this one.</summary>
    public IReadOnlyList<DownstreamView> Downstreams { get; init; } = [];
    /// <summary>For a job created from a job type: the type's name.</summary>
    public string? JobType { get; init; }
    /// <summary>The secret parameters that hold a value; their values are never shown.</summary>
    public IReadOnlyList<string> SecretParameters { get; init; } = [];
    /// <summary>When an admin deleted the job.</summary>
    public DateTimeOffset? DeletedAt { get; init; }
    /// <summary>Who deleted the job.</summary>
    public string? DeletedBy { get; init; }
    /// <summary>Who created the job (jobs created through the API).</summary>
    public string? CreatedBy { get; init; }
    /// <summary>The circuit breaker: the job pauses itself after this many failed occurrences in a row; null for none.</summary>
    public int? PauseAfterFailures { get; init; }
    /// <summary>Failed, timed-out or abandoned final attempts since the last success.</summary>
    public int FailureStreak { get; init; }
    /// <summary>Why the job paused itself; null unless its circuit breaker opened.</summary>
    public string? PausedReason { get; init; }
    /// <summary>For a job created from a job type: its parameters as a JSON object, secret ones left out.</summary>
    public JsonElement? Parameters { get; init; }
    /// <summary>Whether an admin can delete the job through the API (created there, not deleted yet).</summary>
    public bool Deletable { get; init; }
}

/// <summary>A job's performance figures, from its last <see cref="SampleSize"/> ended attempts and the last 24 hours.</summary>
public sealed record JobStatistics
{
    /// <summary>Ended attempts the rates and durations come from.</summary>
    public int SampleSize { get; init; }
    /// <summary>Share of those attempts that succeeded, 0..1; null when there are none.</summary>
    public double? SuccessRate { get; init; }
    /// <summary>Average duration.</summary>
    public double? AverageDurationMs { get; init; }
    /// <summary>Median duration.</summary>
    public double? P50DurationMs { get; init; }
    /// <summary>95th percentile duration.</summary>
    public double? P95DurationMs { get; init; }
    /// <summary>99th percentile duration.</summary>
    public double? P99DurationMs { get; init; }
    /// <summary>Longest duration.</summary>
    public long? MaxDurationMs { get; init; }
    /// <summary>Average memory use.</summary>
    public double? AverageMemoryMb { get; init; }
    /// <summary>Average CPU use.</summary>
    public double? AverageCpuPercent { get; init; }
    /// <summary>Attempts in the sample that were retries.</summary>
    public int RetryAttempts { get; init; }
    /// <summary>Executions that started in the last 24 hours.</summary>
    public int RunsLast24Hours { get; init; }
    /// <summary>Of those, the ones that failed, timed out or were abandoned.</summary>
    public int FailuresLast24Hours { get; init; }
    /// <summary>Occurrences skipped or missed in the last 24 hours.</summary>
    public int NotRunLast24Hours { get; init; }
    /// <summary>The last ended attempts, oldest first.</summary>
    public IReadOnlyList<RecentRun> Recent { get; init; } = [];
}

/// <summary>One ended attempt in a job's trend.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="DurationMs">How long it took.</param>
public sealed record RecentRun(ExecutionStatus Status, long? DurationMs);

/// <summary>One job this job runs after.</summary>
public sealed record UpstreamView
{
    /// <summary>The upstream job.</summary>
    public string Slug { get; init; } = "";
    /// <summary>When its occurrences release this job.</summary>
    public DependencyCondition Condition { get; init; }
    /// <summary>Why the edge cannot signal this job; null while it works.</summary>
    public string? Broken { get; init; }
    /// <summary>For one job read alone: whether this upstream has signalled since the last dependency run. Null in lists.</summary>
    public bool? Signalled { get; init; }
}

/// <summary>One job that runs after this job.</summary>
/// <param name="Slug">The downstream job.</param>
/// <param name="Condition">When this job's occurrences release it.</param>
public sealed record DownstreamView(string Slug, DependencyCondition Condition);

/// <summary>One page of the job list and how many jobs match in all.</summary>
public sealed record JobListPage
{
    /// <summary>The jobs of this page.</summary>
    public IReadOnlyList<JobView> Items { get; init; } = [];
    /// <summary>Jobs matching the filters, on every page.</summary>
    public int Total { get; init; }
    /// <summary>The page's offset.</summary>
    public int Offset { get; init; }
    /// <summary>The page's size.</summary>
    public int Limit { get; init; }
}
