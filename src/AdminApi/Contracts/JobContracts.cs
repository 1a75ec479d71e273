using System.Text.Json;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.AdminApi.Contracts;

/// <summary>A change to a job's live configuration; omitted fields stay as they are. Unknown fields are refused.</summary>
public sealed record JobPatchRequest
{
    /// <summary>Cron expression, 5 or 6 fields; <c>${VAR}</c> references are resolved from the silos' environment.</summary>
    public string? Schedule { get; init; }
    /// <summary>IANA time zone, e.g. <c>Europe/Berlin</c>.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Per-attempt timeout, 1 to 86,400,000 ms.</summary>
    public int? TimeoutMs { get; init; }
    /// <summary>Further attempts after a failure, 0 to 100.</summary>
    /// <summary>The circuit breaker: pause the job after this many failed occurrences in a row, 1 to 1,000; 0 turns it off.</summary>
    public int? PauseAfterFailures { get; init; }
    public int? MaxRetries { get; init; }
    /// <summary><c>run_once</c>, <c>skip</c> or <c>run_all</c>.</summary>
    public MisfirePolicy? MisfirePolicy { get; init; }
    public bool? Enabled { get; init; }
    /// <summary>
    /// The jobs this one runs after, replacing the current ones (empty: none): each a slug, or <c>slug:condition</c> with
    /// <c>success</c> (the default), <c>failure</c> or <c>completion</c>. Unknown jobs and cycles are refused.
    /// </summary>
    public IReadOnlyList<string>? After { get; init; }
    /// <summary>New name (jobs created from a job type only: a definition owns the others').</summary>
    public string? Name { get; init; }
    /// <summary>New description (jobs created from a job type only).</summary>
    public string? Description { get; init; }
    /// <summary>
    /// New parameters, replacing the old ones and validated against the job's type (jobs created from a job type only). A secret
    /// parameter left out keeps its stored value.
    /// </summary>
    public JsonElement? Parameters { get; init; }
}

/// <summary>A new job made from a registered job type (<c>GET /api/cron/job-types</c>). Unknown fields are refused.</summary>
public sealed record JobCreateRequest
{
    /// <summary>1-63 lower-case letters, digits and dashes; the job's address (<c>/api/cron/jobs/{slug}</c>), never reused.</summary>
    public string? Slug { get; init; }
    /// <summary>The job type's name.</summary>
    public string? Type { get; init; }
    /// <summary>Unique among jobs not deleted, at most 200 characters.</summary>
    public string? Name { get; init; }
    public string? Description { get; init; }
    /// <summary>Cron expression, 5 or 6 fields.</summary>
    public string? Schedule { get; init; }
    /// <summary>IANA time zone; the global default for new jobs when left out.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Per-attempt timeout, 1 to 86,400,000 ms; the global default when left out.</summary>
    public int? TimeoutMs { get; init; }
    /// <summary>Further attempts after a failure, 0 to 100; the global default when left out.</summary>
    public int? MaxRetries { get; init; }
    /// <summary><c>run_once</c>, <c>skip</c> or <c>run_all</c>; the global default when left out.</summary>
    public MisfirePolicy? MisfirePolicy { get; init; }
    /// <summary>Scheduled at once (the default), or created disabled.</summary>
    public bool? Enabled { get; init; }
    /// <summary>The parameters, a JSON object validated against the type's schema.</summary>
    public JsonElement? Parameters { get; init; }
}

/// <summary>Options of a manual trigger.</summary>
public sealed record TriggerRequestBody
{
    /// <summary>Run even while an execution of the job is running; recorded on the new execution and in the audit trail.</summary>
    public bool Override { get; init; }
}

/// <summary>The answer to an accepted trigger.</summary>
public sealed record TriggerResponse(Guid ExecutionId, bool Replayed);

/// <summary>The answer to a cancel request.</summary>
public sealed record CancelResponse(Guid ExecutionId, bool CancellationRequested);

/// <summary>History cleanup; omit <see cref="OlderThanDays"/> to use the retention setting.</summary>
public sealed record CleanupRequest
{
    public int? OlderThanDays { get; init; }
}

/// <summary>An expression to check.</summary>
public sealed record SchedulePreviewRequest
{
    public string? Schedule { get; init; }
    /// <summary>IANA time zone; UTC when omitted.</summary>
    public string? TimeZone { get; init; }
    /// <summary>How many fire times, 1 to 100; 10 when omitted.</summary>
    public int? Count { get; init; }
}

/// <summary>A key to create.</summary>
public sealed record CreateApiKeyRequest
{
    public string? Name { get; init; }
    /// <summary><c>viewer</c>, <c>operator</c> or <c>admin</c>.</summary>
    public string? Role { get; init; }
}

/// <summary>A created key. <see cref="Key"/> is shown this once and never again.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Role, string Prefix, string Key);

/// <summary>An audit row as the API shows it: old and new values as JSON objects, not as text.</summary>
public sealed record AuditEntryResponse(Guid Id, DateTimeOffset At, string Actor, string Action, string? JobSlug, string? Target,
    System.Text.Json.JsonElement? OldValues, System.Text.Json.JsonElement? NewValues, string? RequestId)
{
    public static AuditEntryResponse From(Grains.Interfaces.Admin.AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Id, entry.At, entry.Actor, entry.Action, entry.JobSlug, entry.Target, Parse(entry.OldValuesJson), Parse(entry.NewValuesJson), entry.RequestId);
    }

    private static System.Text.Json.JsonElement? Parse(string? json) =>
        json is null ? null : System.Text.Json.JsonDocument.Parse(json).RootElement.Clone();
}

/// <summary>A page of audit rows, newest first.</summary>
public sealed record AuditPageResponse(IReadOnlyList<AuditEntryResponse> Items, int Offset, int Limit, bool HasMore, long TrailRows);

/// <summary>A one-off run to schedule. Unknown fields are refused.</summary>
public sealed record OneOffRunRequest
{
    /// <summary>
    /// When: an ISO 8601 time. With an offset or <c>Z</c> it is that instant; without (<c>2026-12-24T09:00</c>) it is read in
    /// <see cref="TimeZone"/>, and a time the zone skips or repeats (a DST change) is refused.
    /// </summary>
    public string? At { get; init; }
    /// <summary>IANA zone the time is written in and shown back in; default: the job's zone.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Why (at most 500 characters); kept on the run's row.</summary>
    public string? Note { get; init; }
}
