using Microsoft.Extensions.Logging;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Jobs;

/// <summary>Everything one attempt of a job gets to know about itself.</summary>
public sealed class CronJobContext
{
    /// <summary>The job's slug.</summary>
    public required string JobSlug { get; init; }
    /// <summary>The execution row of this attempt.</summary>
    public required Guid ExecutionId { get; init; }
    /// <summary>
    /// Stable identity of the occurrence, the same for every attempt of it (e.g. <c>s:2026-11-26T03:00:00Z</c>, or <c>m:&lt;guid&gt;</c> for a manual run).
    /// Use it to make the job's own side effects idempotent.
    /// </summary>
    public required string OccurrenceKey { get; init; }
    /// <summary>The instant the occurrence was due (for a manual run, the trigger instant).</summary>
    public required DateTimeOffset ScheduledFor { get; init; }
    /// <summary>What started this attempt.</summary>
    public required TriggerSource TriggeredBy { get; init; }
    /// <summary>Who started it, for manual runs.</summary>
    public string? TriggeredByUserId { get; init; }
    /// <summary>0 for the first attempt, 1.. for retries.</summary>
    public required int RetryCount { get; init; }
    /// <summary>Fires at the timeout, on cancel from the admin API and at silo shutdown.</summary>
    public required CancellationToken CancellationToken { get; init; }
    /// <summary>A logger whose scope carries the job slug, execution id, occurrence key and scheduled-for instant.</summary>
    public required ILogger Logger { get; init; }
    /// <summary>Services from a scope created for this attempt.</summary>
    public required IServiceProvider Services { get; init; }
}
