namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>
/// An admin's new job made from a registered job type; the slug is the grain's key. Null fields take the global defaults for
/// new jobs (<c>defaultTimeZone</c>, <c>defaultTimeoutMs</c>, <c>defaultMaxRetries</c>, <c>defaultMisfirePolicy</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("totallator.job-creation")]
public sealed record JobCreation
{
    /// <summary>The job type's name, as registered with <c>AddCronJobType</c>.</summary>
    [Id(0)] public required string Type { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string Description { get; init; } = "";
    /// <summary>Cron expression (5 or 6 fields; only the allowed <c>${VAR}</c> references).</summary>
    [Id(3)] public required string Schedule { get; init; }
    [Id(4)] public string? TimeZone { get; init; }
    [Id(5)] public int? TimeoutMs { get; init; }
    [Id(6)] public int? MaxRetries { get; init; }
    [Id(7)] public MisfirePolicy? MisfirePolicy { get; init; }
    [Id(8)] public bool Enabled { get; init; } = true;
    /// <summary>The parameters as a JSON object, validated against the type.</summary>
    [Id(9)] public required string ParametersJson { get; init; }
    /// <summary>Who creates the job, recorded as <c>createdBy</c> and on the audit row.</summary>
    [Id(10)] public required string CreatedBy { get; init; }
    /// <summary>The HTTP request that asked, kept on the audit row.</summary>
    [Id(11)] public string? RequestId { get; init; }
}

/// <summary>An admin's deletion of a job created from a job type. Its history stays; its slug stays taken by it.</summary>
[GenerateSerializer, Immutable, Alias("totallator.job-deletion")]
public sealed record JobDeletion
{
    /// <summary>Delete only if the stored version still equals this; null to skip the check.</summary>
    [Id(0)] public int? ExpectedVersion { get; init; }
    [Id(1)] public required string DeletedBy { get; init; }
    [Id(2)] public string? RequestId { get; init; }
}
