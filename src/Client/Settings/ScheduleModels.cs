namespace Totallator.Client;

/// <summary>A valid schedule's next fire times in a zone.</summary>
public sealed record SchedulePreview
{
    /// <summary>Always true in an answer: an invalid schedule is a <see cref="TotallatorValidationException"/>.</summary>
    public bool IsValid { get; init; }
    /// <summary>Why the schedule cannot fire (null in a successful answer).</summary>
    public string? Error { get; init; }
    /// <summary>The field at fault.</summary>
    public string? ErrorField { get; init; }
    /// <summary>The expression after <c>${VAR}</c> substitution.</summary>
    public string? ResolvedSchedule { get; init; }
    /// <summary>Next fire instants with the zone's offset at each.</summary>
    public IReadOnlyList<DateTimeOffset> NextFireTimes { get; init; } = [];
}
