namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>An admin's change to a job's live configuration. Null fields are left as they are.</summary>
[GenerateSerializer, Immutable, Alias("totallator.job-config-change")]
public sealed record JobConfigChange
{
    /// <summary>New cron expression (5 or 6 fields, <c>${VAR}</c> allowed).</summary>
    [Id(0)] public string? Schedule { get; init; }
    /// <summary>New IANA time zone.</summary>
    [Id(1)] public string? TimeZone { get; init; }
    /// <summary>New per-attempt timeout, 1 ms to 24 h.</summary>
    [Id(2)] public int? TimeoutMs { get; init; }
    /// <summary>New retry count, 0 to 100.</summary>
    [Id(3)] public int? MaxRetries { get; init; }
    /// <summary>New misfire policy.</summary>
    [Id(4)] public MisfirePolicy? MisfirePolicy { get; init; }
    /// <summary>Enable or disable.</summary>
    [Id(5)] public bool? IsEnabled { get; init; }
    /// <summary>Apply only if the stored version still equals this (optimistic concurrency); null to skip the check.</summary>
    [Id(6)] public int? ExpectedVersion { get; init; }
    /// <summary>Who makes the change, recorded as <c>lastModifiedBy</c>.</summary>
    [Id(7)] public required string ChangedBy { get; init; }
    /// <summary>The HTTP request that asked, kept on the audit row.</summary>
    [Id(8)] public string? RequestId { get; init; }
    /// <summary>New upstream jobs, replacing the old ones (empty: none). Unknown jobs and cycles are refused.</summary>
    [Id(9)] public IReadOnlyList<Upstream>? After { get; init; }
    /// <summary>New name; only for a job created from a job type (a definition owns the others' names).</summary>
    [Id(10)] public string? Name { get; init; }
    /// <summary>New description; only for a job created from a job type.</summary>
    [Id(11)] public string? Description { get; init; }
    /// <summary>
    /// New parameters as a JSON object, validated against the job's type; only for a job created from a job type. A secret
    /// parameter left out keeps its stored value.
    /// </summary>
    [Id(12)] public string? ParametersJson { get; init; }
    /// <summary>The circuit breaker: pause the job after this many failed occurrences in a row, 1 to 1,000; 0 turns it off.</summary>
    [Id(13)] public int? PauseAfterFailures { get; init; }
}
