namespace Totallator.Grains.Diagnostics;

/// <summary>Scheduler metrics, bound from configuration section <c>Telemetry:Metrics</c>.</summary>
/// <remarks>No validator: a single switch has no invalid value.</remarks>
public sealed class SchedulerMetricsOptions
{
    public const string SectionName = "Telemetry:Metrics";

    /// <summary>
    /// Adds the tag <c>job</c> (the slug) to the per-job series: runs ended, run duration, firing lateness, missed, skipped,
    /// claim conflicts and retries. Off by default: every job multiplies each series (outcomes × triggers × 17 histogram
    /// buckets), so a few thousand jobs make hundreds of thousands of Prometheus series per silo, and the OpenTelemetry SDK folds
    /// everything past 2,000 tag sets per metric into one overflow series anyway. Per-job figures live in
    /// <c>cronJobExecution</c> and the admin statistics; traces and log scopes carry the slug. Turn it on for a few hundred
    /// jobs at most. Default: false.
    /// </summary>
    public bool TagJobSlug { get; set; }
}
