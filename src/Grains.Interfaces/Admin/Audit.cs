namespace Totallator.Grains.Interfaces.Admin;

/// <summary>One admin change: who, when, what, on which job, and the values before and after.</summary>
[GenerateSerializer, Immutable, Alias("totallator.audit-entry")]
public sealed record AuditEntry
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required DateTimeOffset At { get; init; }
    /// <summary>The user or key name (never a secret).</summary>
    [Id(2)] public required string Actor { get; init; }
    /// <summary>What was done: <c>job.update</c>, <c>job.enable</c>, <c>job.disable</c>, <c>job.trigger</c>, <c>execution.cancel</c>,
    /// <c>settings.update</c>, <c>executions.cleanup</c>, <c>apikey.create</c>, <c>apikey.revoke</c>.</summary>
    [Id(3)] public required string Action { get; init; }
    /// <summary>The job concerned, if any.</summary>
    [Id(4)] public string? JobSlug { get; init; }
    /// <summary>Another object concerned: an execution id, an API key id.</summary>
    [Id(5)] public string? Target { get; init; }
    /// <summary>The changed fields before the change, as a JSON object; null when nothing existed before.</summary>
    [Id(6)] public string? OldValuesJson { get; init; }
    /// <summary>The changed fields after the change (or the action's result), as a JSON object.</summary>
    [Id(7)] public string? NewValuesJson { get; init; }
    [Id(8)] public string? RequestId { get; init; }
}

/// <summary>Which audit rows to list. Null filters match everything.</summary>
[GenerateSerializer, Immutable, Alias("totallator.audit-query")]
public sealed record AuditQuery
{
    [Id(0)] public string? JobSlug { get; init; }
    [Id(1)] public string? Actor { get; init; }
    [Id(2)] public string? Action { get; init; }
    [Id(3)] public DateTimeOffset? From { get; init; }
    [Id(4)] public DateTimeOffset? To { get; init; }
    [Id(5)] public int Offset { get; init; }
    /// <summary>Page size, 1 to 500.</summary>
    [Id(6)] public int Limit { get; init; } = 50;
}

/// <summary>A page of the audit trail, newest first.</summary>
[GenerateSerializer, Immutable, Alias("totallator.audit-page")]
public sealed record AuditPage
{
    [Id(0)] public required IReadOnlyList<AuditEntry> Items { get; init; }
    [Id(1)] public required int Offset { get; init; }
    [Id(2)] public required int Limit { get; init; }
    [Id(3)] public required bool HasMore { get; init; }
    /// <summary>How many rows the whole audit trail holds (every job, no filter): what the audit retention keeps in bounds.</summary>
    [Id(4)] public required long TrailRows { get; init; }
}
