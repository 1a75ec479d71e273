namespace Totallator.Grains.Interfaces.Admin;

/// <summary>Whether a schedule is valid in a time zone, and when it fires next.</summary>
[GenerateSerializer, Immutable, Alias("totallator.schedule-preview")]
public sealed record SchedulePreview
{
    [Id(0)] public required bool IsValid { get; init; }
    /// <summary>Why the schedule cannot fire (does not parse, unknown zone, unset variable, never fires); null when valid.</summary>
    [Id(1)] public string? Error { get; init; }
    /// <summary>The field at fault: <c>schedule</c> or <c>timeZone</c>.</summary>
    [Id(2)] public string? ErrorField { get; init; }
    /// <summary>The expression after <c>${VAR}</c> substitution (a preview may read only allowed variables); null when refused.</summary>
    [Id(3)] public string? ResolvedSchedule { get; init; }
    /// <summary>Next fire instants with the zone's UTC offset at each (a change of offset marks a DST transition).</summary>
    [Id(4)] public required IReadOnlyList<DateTimeOffset> NextFireTimes { get; init; }
}
