namespace Totallator.Grains.Interfaces.Admin;

/// <summary>
/// Which jobs to list and in what order (<c>GET /api/cron/jobs</c>, docs/admin-read.md). The database filters, sorts and pages;
/// only the page's jobs are read in full. Null filters match everything; several states match a job in any of them.
/// </summary>
[GenerateSerializer, Immutable, Alias("totallator.job-list-query")]
public sealed record JobListQuery
{
    /// <summary>Text found (case-insensitively) in the slug, name or description.</summary>
    [Id(0)] public string? Search { get; init; }
    [Id(1)] public IReadOnlyList<JobListState>? States { get; init; }
    /// <summary>Where the job is defined: <c>code</c>, <c>configuration</c> or <c>api</c>.</summary>
    [Id(2)] public string? Source { get; init; }
    /// <summary>True: only jobs in a chain (running after others, or others running after them); false: only the others.</summary>
    [Id(3)] public bool? Chain { get; init; }
    /// <summary>The last run's outcome.</summary>
    [Id(4)] public JobListOutcome? Outcome { get; init; }
    [Id(5)] public JobListSort Sort { get; init; } = JobListSort.Slug;
    [Id(6)] public bool Descending { get; init; }
    [Id(7)] public int Offset { get; init; }
    /// <summary>Page size, 1 to <see cref="MaxLimit"/>.</summary>
    [Id(8)] public int Limit { get; init; } = DefaultLimit;

    public const int DefaultLimit = 50;
    /// <summary>The whole list of a large installation in one answer (10,000 jobs in about 100 ms, docs/admin-read.md).</summary>
    public const int MaxLimit = 10_000;
    /// <summary>The longest search text.</summary>
    public const int MaxSearchLength = 200;
}

/// <summary>A state a job can be in (the list's state filter).</summary>
[GenerateSerializer, Alias("totallator.job-list-state")]
public enum JobListState
{
    /// <summary>Enabled and not deleted.</summary>
    Enabled = 0,
    Disabled = 1,
    /// <summary>Disabled by its own circuit breaker (a reason is recorded).</summary>
    Paused = 2,
    /// <summary>The scheduler recorded why it cannot schedule the job.</summary>
    Invalid = 3,
    /// <summary>Its last final attempt failed, timed out or was abandoned (a failure streak).</summary>
    Failing = 4,
    /// <summary>An execution of it is running now.</summary>
    Running = 5,
    /// <summary>No longer defined in code or configuration.</summary>
    Orphaned = 6,
    /// <summary>Deleted by an admin (its history is kept).</summary>
    Deleted = 7,
}

/// <summary>The last run's outcome (the list's outcome filter).</summary>
[GenerateSerializer, Alias("totallator.job-list-outcome")]
public enum JobListOutcome
{
    Succeeded = 0,
    /// <summary>Failed, timed out or abandoned.</summary>
    Failures = 1,
    /// <summary>No attempt of the job ever started.</summary>
    Never = 2,
}

/// <summary>What the list is ordered by; ties go by slug.</summary>
[GenerateSerializer, Alias("totallator.job-list-sort")]
public enum JobListSort
{
    Slug = 0,
    /// <summary>Name, then slug.</summary>
    Name = 1,
    /// <summary>The last ended run's scheduled instant; jobs never run last.</summary>
    LastRun = 2,
    /// <summary>Success rate of the last ended attempts; jobs without any last.</summary>
    SuccessRate = 3,
    /// <summary>Runs of the last 24 hours.</summary>
    Runs = 4,
}

/// <summary>One page of the job list and how many jobs match the filters in all.</summary>
[GenerateSerializer, Immutable, Alias("totallator.job-list-page")]
public sealed record JobListPage
{
    [Id(0)] public required IReadOnlyList<JobView> Items { get; init; }
    /// <summary>Jobs matching the filters, on every page.</summary>
    [Id(1)] public required int Total { get; init; }
    [Id(2)] public required int Offset { get; init; }
    [Id(3)] public required int Limit { get; init; }
}
