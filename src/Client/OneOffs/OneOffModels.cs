namespace Totallator.Client;

/// <summary>A one-off run to schedule.</summary>
public sealed record OneOffRunRequest
{
    /// <summary>
    /// When, ISO 8601: with an offset or <c>Z</c> it is that instant; without (<c>2026-12-24T09:00</c>) it is read in
    /// <see cref="TimeZone"/>, and a time the zone skips or repeats is refused.
    /// </summary>
    public required string At { get; init; }
    /// <summary>IANA zone the time is written in; the job's zone when null.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Why (at most 500 characters).</summary>
    public string? Note { get; init; }
}

/// <summary>A one-off run: pending until its instant, then taken by the execution that ran it, or cancelled.</summary>
public sealed record OneOffRun
{
    /// <summary>The run's id.</summary>
    public Guid Id { get; init; }
    /// <summary>Its job.</summary>
    public string JobSlug { get; init; } = "";
    /// <summary>The instant, with the offset of <see cref="TimeZone"/> there.</summary>
    public DateTimeOffset RunAt { get; init; }
    /// <summary>The zone it was written in.</summary>
    public string TimeZone { get; init; } = "";
    /// <summary>Why.</summary>
    public string? Note { get; init; }
    /// <summary>When it was scheduled.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Who scheduled it.</summary>
    public string CreatedBy { get; init; } = "";
    /// <summary>When it was cancelled.</summary>
    public DateTimeOffset? CancelledAt { get; init; }
    /// <summary>Who cancelled it.</summary>
    public string? CancelledBy { get; init; }
    /// <summary>The execution that took it.</summary>
    public Guid? ExecutionId { get; init; }
    /// <summary><c>pending</c>, <c>cancelled</c> or <c>taken</c>.</summary>
    public string State { get; init; } = "";
}
