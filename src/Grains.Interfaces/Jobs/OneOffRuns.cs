namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>An operator's request to run a job once, at a future instant.</summary>
[GenerateSerializer, Immutable, Alias("totallator.one-off-request")]
public sealed record OneOffRequest
{
    /// <summary>The instant to run at (already read in <see cref="TimeZone"/> by the caller).</summary>
    [Id(0)] public required DateTimeOffset RunAt { get; init; }
    /// <summary>The IANA zone the operator wrote the time in; it is shown back in that zone.</summary>
    [Id(1)] public required string TimeZone { get; init; }
    /// <summary>Why, in the operator's words (at most 500 characters).</summary>
    [Id(2)] public string? Note { get; init; }
    /// <summary>Who schedules it; recorded on the run's row as <c>triggeredByUserId</c>.</summary>
    [Id(3)] public required string UserId { get; init; }
    /// <summary>The HTTP request that asked, kept on the audit row.</summary>
    [Id(4)] public string? RequestId { get; init; }
}

/// <summary>A one-off run: pending until its instant, then taken by the execution that ran it (or recorded why not), or cancelled.</summary>
[GenerateSerializer, Immutable, Alias("totallator.one-off-run")]
public sealed record OneOffRun
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string JobSlug { get; init; }
    /// <summary>The instant, with the offset of <see cref="TimeZone"/> at that instant.</summary>
    [Id(2)] public required DateTimeOffset RunAt { get; init; }
    [Id(3)] public required string TimeZone { get; init; }
    [Id(4)] public string? Note { get; init; }
    [Id(5)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public required string CreatedBy { get; init; }
    [Id(7)] public DateTimeOffset? CancelledAt { get; init; }
    [Id(8)] public string? CancelledBy { get; init; }
    /// <summary>The execution that took it: its run, or the row that says why it did not run.</summary>
    [Id(9)] public Guid? ExecutionId { get; init; }

    /// <summary><c>pending</c>, <c>cancelled</c> or <c>taken</c>.</summary>
    public string State => CancelledAt is not null ? "cancelled" : ExecutionId is not null ? "taken" : "pending";
}

/// <summary>What a cancel of a one-off run did.</summary>
[GenerateSerializer, Alias("totallator.one-off-cancel")]
public enum OneOffCancel
{
    Cancelled = 0,
    NotFound = 1,
    /// <summary>Its instant came and an execution took it (ran, or was recorded not run) before the cancel.</summary>
    AlreadyTaken = 2,
    AlreadyCancelled = 3,
}
