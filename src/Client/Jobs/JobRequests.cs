using System.Text.Json;

namespace Totallator.Client;

/// <summary>Which jobs to list (<c>GET /api/cron/jobs</c>). Null filters match everything.</summary>
public sealed record JobListQuery
{
    /// <summary>Text found in the slug, name or description.</summary>
    public string? Search { get; init; }
    /// <summary>Jobs in any of these states.</summary>
    public IReadOnlyList<JobListState>? States { get; init; }
    /// <summary>Where the job is defined: <c>code</c>, <c>configuration</c> or <c>api</c>.</summary>
    public string? Source { get; init; }
    /// <summary>True: only jobs in a dependency chain; false: only the others.</summary>
    public bool? Chain { get; init; }
    /// <summary>The last run's outcome.</summary>
    public JobListOutcome? Outcome { get; init; }
    /// <summary>Order; the API's default is by slug.</summary>
    public JobListSort? Sort { get; init; }
    /// <summary>Descending order.</summary>
    public bool Descending { get; init; }
    /// <summary>Jobs to skip.</summary>
    public int? Offset { get; init; }
    /// <summary>Page size, 1 to 10,000; the API's default is 50.</summary>
    public int? Limit { get; init; }
}

/// <summary>A change to a job's live configuration; null fields stay as they are.</summary>
public sealed record JobPatch
{
    /// <summary>Cron expression, 5 or 6 fields.</summary>
    public string? Schedule { get; init; }
    /// <summary>IANA time zone.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Per-attempt timeout, 1 to 86,400,000 ms.</summary>
    public int? TimeoutMs { get; init; }
    /// <summary>Further attempts after a failure, 0 to 100.</summary>
    public int? MaxRetries { get; init; }
    /// <summary>The circuit breaker: pause after this many failed occurrences in a row, 1 to 1,000; 0 turns it off.</summary>
    public int? PauseAfterFailures { get; init; }
    /// <summary>Misfire policy.</summary>
    public MisfirePolicy? MisfirePolicy { get; init; }
    /// <summary>Enable or disable the schedule.</summary>
    public bool? Enabled { get; init; }
    /// <summary>The jobs this one runs after, replacing the current ones (empty: none): <c>slug</c> or <c>slug:condition</c>.</summary>
    public IReadOnlyList<string>? After { get; init; }
    /// <summary>New name (jobs created from a job type only).</summary>
    public string? Name { get; init; }
    /// <summary>New description (jobs created from a job type only).</summary>
    public string? Description { get; init; }
    /// <summary>New parameters, a JSON object (jobs created from a job type only); a secret left out keeps its value.</summary>
    public JsonElement? Parameters { get; init; }
}

/// <summary>A new job made from a registered job type (<see cref="ITotallatorClient.ListJobTypesAsync"/>).</summary>
public sealed record JobCreateRequest
{
    /// <summary>1-63 lower-case letters, digits and dashes; never reused.</summary>
    public required string Slug { get; init; }
    /// <summary>The job type's name.</summary>
    public required string Type { get; init; }
    /// <summary>Unique among jobs not deleted, at most 200 characters.</summary>
    public required string Name { get; init; }
    /// <summary>Description.</summary>
    public string? Description { get; init; }
    /// <summary>Cron expression, 5 or 6 fields.</summary>
    public required string Schedule { get; init; }
    /// <summary>IANA time zone; the global default when null.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Per-attempt timeout; the global default when null.</summary>
    public int? TimeoutMs { get; init; }
    /// <summary>Retries; the global default when null.</summary>
    public int? MaxRetries { get; init; }
    /// <summary>Misfire policy; the global default when null.</summary>
    public MisfirePolicy? MisfirePolicy { get; init; }
    /// <summary>Scheduled at once (the default), or created disabled.</summary>
    public bool? Enabled { get; init; }
    /// <summary>The parameters, a JSON object validated against the type's schema.</summary>
    public required JsonElement Parameters { get; init; }
}
