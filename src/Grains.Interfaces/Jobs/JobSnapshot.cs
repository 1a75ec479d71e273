namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>A job's configuration and live state, as its grain sees it.</summary>
[GenerateSerializer, Immutable, Alias("totallator.job-snapshot")]
public sealed record JobSnapshot
{
    /// <summary>Database id of the job.</summary>
    [Id(0)] public required Guid Id { get; init; }
    /// <summary>Stable code id, used in URLs (e.g. <c>db-backup</c>).</summary>
    [Id(1)] public required string Slug { get; init; }
    /// <summary>Display name.</summary>
    [Id(2)] public required string Name { get; init; }
    /// <summary>What the job does.</summary>
    [Id(3)] public required string Description { get; init; }
    /// <summary>The schedule as written, possibly with <c>${VAR}</c> references.</summary>
    [Id(4)] public required string Schedule { get; init; }
    /// <summary>
    /// The schedule after environment substitution; null when it is invalid or reads a variable whose value may not be shown
    /// (only those in <c>Cron:Scheduler:ScheduleVariables</c> are).
    /// </summary>
    [Id(5)] public string? ResolvedSchedule { get; init; }
    /// <summary>IANA time zone the schedule is read in.</summary>
    [Id(6)] public required string TimeZone { get; init; }
    /// <summary>Whether the schedule fires.</summary>
    [Id(7)] public required bool IsEnabled { get; init; }
    /// <summary>Per-attempt timeout.</summary>
    [Id(8)] public required int TimeoutMs { get; init; }
    /// <summary>Further attempts after a failure.</summary>
    [Id(9)] public required int MaxRetries { get; init; }
    /// <summary>What happens to occurrences missed during downtime.</summary>
    [Id(10)] public required MisfirePolicy MisfirePolicy { get; init; }
    /// <summary>For <see cref="MisfirePolicy.RunAll"/>: most missed occurrences run.</summary>
    [Id(11)] public required int MisfireRunAllCap { get; init; }
    /// <summary>Why the job cannot be scheduled (bad expression, unknown time zone, never fires); null when valid.</summary>
    [Id(12)] public string? InvalidReason { get; init; }
    /// <summary>The job is in the database but no longer defined in code or configuration.</summary>
    [Id(13)] public required bool IsOrphaned { get; init; }
    /// <summary>Where the job is defined: <c>code</c> or <c>configuration</c>.</summary>
    [Id(14)] public required string Source { get; init; }
    /// <summary>Fields an admin changed; they survive restarts and win over code defaults.</summary>
    [Id(15)] public required IReadOnlyList<string> OverriddenFields { get; init; }
    /// <summary>Executions of this job running now (normally at most one).</summary>
    [Id(16)] public required IReadOnlyList<Guid> RunningExecutionIds { get; init; }
    /// <summary>The next fire instant, when enabled and valid.</summary>
    [Id(17)] public DateTimeOffset? NextFireAt { get; init; }
    /// <summary>The latest occurrence the scheduler has dealt with (run, skipped or missed).</summary>
    [Id(18)] public DateTimeOffset? LastScheduledFor { get; init; }
    /// <summary>Optimistic-concurrency version of the stored row.</summary>
    [Id(19)] public required int Version { get; init; }
    /// <summary>Last change time.</summary>
    [Id(20)] public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Who changed it last.</summary>
    [Id(21)] public string? LastModifiedBy { get; init; }
}
