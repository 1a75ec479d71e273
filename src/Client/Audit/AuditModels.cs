using System.Text.Json;

namespace Totallator.Client;

/// <summary>One admin change: who, when, what, on which job, and the values before and after.</summary>
public sealed record AuditEntry
{
    /// <summary>The row's id.</summary>
    public Guid Id { get; init; }
    /// <summary>When.</summary>
    public DateTimeOffset At { get; init; }
    /// <summary>The user or key name.</summary>
    public string Actor { get; init; } = "";
    /// <summary>What was done, e.g. <c>job.update</c>, <c>job.trigger</c>, <c>settings.update</c>, <c>apikey.create</c>.</summary>
    public string Action { get; init; } = "";
    /// <summary>The job concerned, if any.</summary>
    public string? JobSlug { get; init; }
    /// <summary>Another object concerned: an execution id, an API key id.</summary>
    public string? Target { get; init; }
    /// <summary>The changed fields before the change.</summary>
    public JsonElement? OldValues { get; init; }
    /// <summary>The changed fields after the change, or the action's result.</summary>
    public JsonElement? NewValues { get; init; }
    /// <summary>The request that made the change (the <c>X-Request-Id</c> it was answered with).</summary>
    public string? RequestId { get; init; }
}

/// <summary>Which audit rows to list. Null filters match everything.</summary>
public sealed record AuditQuery
{
    /// <summary>Rows about this job.</summary>
    public string? JobSlug { get; init; }
    /// <summary>Rows by this user or key name.</summary>
    public string? Actor { get; init; }
    /// <summary>Rows of this action.</summary>
    public string? Action { get; init; }
    /// <summary>Inclusive lower bound.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Exclusive upper bound.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>Rows to skip.</summary>
    public int? Offset { get; init; }
    /// <summary>Page size, 1 to 500; the API's default is 50.</summary>
    public int? Limit { get; init; }
}

/// <summary>A page of the audit trail, newest first.</summary>
public sealed record AuditPage
{
    /// <summary>The rows.</summary>
    public IReadOnlyList<AuditEntry> Items { get; init; } = [];
    /// <summary>The page's offset.</summary>
    public int Offset { get; init; }
    /// <summary>The page's size.</summary>
    public int Limit { get; init; }
    /// <summary>Whether there are more rows after this page.</summary>
    public bool HasMore { get; init; }
    /// <summary>How many rows the whole trail holds.</summary>
    public long TrailRows { get; init; }
}
