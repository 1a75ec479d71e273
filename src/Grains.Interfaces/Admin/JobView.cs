using System.Text.Json;
using System.Text.Json.Serialization;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Interfaces.Admin;

/// <summary>A job as admins see it: configuration, where its schedule came from, next fire times, last run and statistics.</summary>
[GenerateSerializer, Immutable, Alias("totallator.job-view")]
public sealed record JobView
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string Slug { get; init; }
    [Id(2)] public required string Name { get; init; }
    [Id(3)] public required string Description { get; init; }
    /// <summary>The schedule as written, possibly with <c>${VAR}</c> references.</summary>
    [Id(4)] public required string Schedule { get; init; }
    /// <summary>
    /// The schedule after environment substitution; null when it is invalid or reads a variable whose value may not be shown
    /// (only those in <c>Cron:Scheduler:ScheduleVariables</c> are).
    /// </summary>
    [Id(5)] public string? ResolvedSchedule { get; init; }
    /// <summary>Where the schedule's value comes from: <c>code</c>, <c>configuration</c>, <c>admin</c> (an override), or <c>environment</c> (a <c>${VAR}</c> was substituted).</summary>
    [Id(6)] public required string ScheduleSource { get; init; }
    [Id(7)] public required string TimeZone { get; init; }
    [Id(8)] public required bool IsEnabled { get; init; }
    /// <summary>Why the job cannot be scheduled; null when valid.</summary>
    [Id(9)] public string? InvalidReason { get; init; }
    /// <summary>In the database but no longer defined in code or configuration.</summary>
    [Id(10)] public required bool IsOrphaned { get; init; }
    /// <summary>Where the job is defined: <c>code</c>, <c>configuration</c>, or <c>api</c> (created by an admin from a job type).</summary>
    [Id(11)] public required string Source { get; init; }
    [Id(12)] public required int TimeoutMs { get; init; }
    [Id(13)] public required int MaxRetries { get; init; }
    [Id(14)] public required MisfirePolicy MisfirePolicy { get; init; }
    [Id(15)] public required int MisfireRunAllCap { get; init; }
    /// <summary>Fields an admin changed; they win over code defaults.</summary>
    [Id(16)] public required IReadOnlyList<string> OverriddenFields { get; init; }
    /// <summary>The next fire instants (up to 5), in the job's time zone; empty when disabled, invalid, orphaned or globally paused.</summary>
    [Id(17)] public required IReadOnlyList<DateTimeOffset> NextFireTimes { get; init; }
    /// <summary>The latest execution that started (running or ended), if any.</summary>
    [Id(18)] public ExecutionSummary? LastRun { get; init; }
    /// <summary>Executions of this job running now, cluster-wide.</summary>
    [Id(19)] public required IReadOnlyList<Guid> RunningExecutionIds { get; init; }
    [Id(20)] public required JobStatistics Statistics { get; init; }
    /// <summary>Optimistic-concurrency version (the HTTP ETag).</summary>
    [Id(21)] public required int Version { get; init; }
    [Id(22)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(23)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(24)] public string? LastModifiedBy { get; init; }
    /// <summary>The latest occurrence the scheduler dealt with (run, skipped or missed).</summary>
    [Id(25)] public DateTimeOffset? LastScheduledFor { get; init; }
    /// <summary>The jobs this one runs after, with their conditions and whether each edge works.</summary>
    [Id(26)] public IReadOnlyList<UpstreamView> Upstreams { get; init; } = [];
    /// <summary>The jobs that run after this one.</summary>
    [Id(27)] public IReadOnlyList<DownstreamView> Downstreams { get; init; } = [];
    /// <summary>For a job created from a job type: the type's name; null otherwise.</summary>
    [Id(28)] public string? JobType { get; init; }
    /// <summary>For a job created from a job type: its parameters as a JSON object, secret ones left out (see <see cref="SecretParameters"/>).</summary>
    [Id(29), JsonIgnore] public string? ParametersJson { get; init; }
    /// <summary>The names of the secret parameters that hold a value; their values are never shown.</summary>
    [Id(30)] public IReadOnlyList<string> SecretParameters { get; init; } = [];
    /// <summary>When an admin deleted the job (only jobs created from a job type can be); its history stays.</summary>
    [Id(31)] public DateTimeOffset? DeletedAt { get; init; }
    [Id(32)] public string? DeletedBy { get; init; }
    [Id(33)] public string? CreatedBy { get; init; }
    /// <summary>The circuit breaker: the job pauses itself after this many failed occurrences in a row; null for none.</summary>
    [Id(34)] public int? PauseAfterFailures { get; init; }
    /// <summary>Failed, timed-out or abandoned final attempts since the last success.</summary>
    [Id(35)] public int FailureStreak { get; init; }
    /// <summary>Why the job paused itself (its circuit breaker opened); null unless it did. Enabling it clears this.</summary>
    [Id(36)] public string? PausedReason { get; init; }

    /// <summary>The parameters as a JSON object in the API's answers.</summary>
    public JsonElement? Parameters => ParametersJson is null ? null : JsonDocument.Parse(ParametersJson).RootElement.Clone();

    /// <summary>Whether an admin can delete the job through the API: created there and not deleted yet.</summary>
    public bool Deletable => Source == "api" && DeletedAt is null;
}

/// <summary>
/// A job's performance figures. Rates, durations, memory and CPU come from its last <see cref="SampleSize"/> ended attempts
/// (bounded work per job whatever its frequency); the 24-hour counts cover every execution scheduled in the last 24 hours.
/// </summary>
[GenerateSerializer, Immutable, Alias("totallator.job-statistics")]
public sealed record JobStatistics
{
    /// <summary>Ended attempts (succeeded, failed, timed out, abandoned) the figures below come from.</summary>
    [Id(0)] public required int SampleSize { get; init; }
    /// <summary>Share of those attempts that succeeded, 0..1; null when there are none.</summary>
    [Id(1)] public double? SuccessRate { get; init; }
    [Id(2)] public double? AverageDurationMs { get; init; }
    [Id(3)] public double? P50DurationMs { get; init; }
    [Id(4)] public double? P95DurationMs { get; init; }
    [Id(5)] public double? P99DurationMs { get; init; }
    [Id(6)] public long? MaxDurationMs { get; init; }
    [Id(7)] public double? AverageMemoryMb { get; init; }
    [Id(8)] public double? AverageCpuPercent { get; init; }
    /// <summary>Attempts in the sample that were retries (retryCount &gt; 0).</summary>
    [Id(9)] public required int RetryAttempts { get; init; }
    /// <summary>Executions that started in the last 24 hours.</summary>
    [Id(10)] public required int RunsLast24Hours { get; init; }
    /// <summary>Of those, the ones that failed, timed out or were abandoned.</summary>
    [Id(11)] public required int FailuresLast24Hours { get; init; }
    /// <summary>Occurrences skipped or missed in the last 24 hours.</summary>
    [Id(12)] public required int NotRunLast24Hours { get; init; }
    /// <summary>The trend: the last <see cref="TrendSize"/> ended attempts of the sample, oldest first.</summary>
    [Id(13)] public IReadOnlyList<RecentRun> Recent { get; init; } = [];

    /// <summary>How many attempts <see cref="Recent"/> holds at most.</summary>
    public const int TrendSize = 20;
}

/// <summary>One ended attempt in a job's trend: its outcome and how long it took.</summary>
[GenerateSerializer, Immutable, Alias("totallator.recent-run")]
public sealed record RecentRun([property: Id(0)] ExecutionStatus Status, [property: Id(1)] long? DurationMs);
