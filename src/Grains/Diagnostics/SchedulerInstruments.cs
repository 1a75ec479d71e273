using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Totallator.Grains.Clock;
using Totallator.Grains.Execution;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Diagnostics;

/// <summary>
/// The scheduler's metrics (meter <see cref="MeterName"/>) and traces (activity source <see cref="ActivitySourceName"/>), one
/// instance per silo. Tags are low-cardinality words (outcome, trigger, reason, stage); the job slug only with
/// <see cref="SchedulerMetricsOptions.TagJobSlug"/>. Nothing secret is ever a tag: no connection string, key, output or error text.
/// </summary>
/// <remarks>
/// Names are dotted with kebab-case words and carry UCUM units, so the Prometheus exporter turns them into
/// <c>totallator_scheduler_run_duration_seconds</c> and friends. Firing lateness (due → started) is the headline SLO.
/// </remarks>
public sealed class SchedulerInstruments
{
    public const string MeterName = "Totallator.Scheduler";
    public const string ActivitySourceName = "Totallator.Scheduler";

    /// <summary>
    /// Static, as every <see cref="ActivitySource"/> is: listeners (the OpenTelemetry tracer, tests) subscribe by name, and an
    /// activity nobody listens to is never created.
    /// </summary>
    public static readonly ActivitySource ActivitySource = new(ActivitySourceName);

    // Seconds: a cron run takes from milliseconds to hours; lateness is milliseconds when healthy, seconds to minutes in trouble.
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
    private static readonly double[] LatenessBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly bool _tagJobSlug;
    private readonly Counter<long> _runsEnded;
    private readonly Histogram<double> _runDuration;
    private readonly Histogram<double> _firingLateness;
    private readonly UpDownCounter<long> _runsActive;
    private readonly Counter<long> _missed;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _abandoned;
    private readonly Counter<long> _claimConflicts;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _handedOver;
    private readonly Counter<long> _alertAttempts;
    private readonly LeftRunningAttempts _leftRunning;

    public SchedulerInstruments(IMeterFactory meterFactory, IOptions<SchedulerMetricsOptions> options, LeftRunningAttempts leftRunning,
        SchedulerClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(leftRunning);
        _tagJobSlug = options.Value.TagJobSlug;
        _leftRunning = leftRunning;
        // Through the host's IMeterFactory: one meter per silo, disposed with it (several silos share a test process).
        var meter = meterFactory.Create(MeterName);
        _runsEnded = meter.CreateCounter<long>("totallator.scheduler.run.ended", "{run}",
            "Attempts ended, by outcome (succeeded, failed, timed_out, abandoned) and trigger (scheduler, catch-up, manual, retry).");
        _runDuration = meter.CreateHistogram<double>("totallator.scheduler.run.duration", "s",
            "Wall time of an attempt, by outcome and trigger.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _firingLateness = meter.CreateHistogram<double>("totallator.scheduler.firing.lateness", "s",
            "Due instant to start of a scheduled occurrence (trigger scheduler: the SLO; catch-up: late by design).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatenessBuckets });
        _runsActive = meter.CreateUpDownCounter<long>("totallator.scheduler.run.active", "{run}",
            "Occurrences running on this silo, counting the backoff between retries.");
        _missed = meter.CreateCounter<long>("totallator.scheduler.occurrence.missed", "{occurrence}",
            "Occurrences not run because they fell due while nothing could run them, by the job's misfire policy.");
        _skipped = meter.CreateCounter<long>("totallator.scheduler.occurrence.skipped", "{occurrence}",
            "Occurrences not run, by reason: overlap (the previous run was still going), paused (scheduling paused) or attempts-left-running (the job's bound of attempts still running after their cancellation was reached).");
        _abandoned = meter.CreateCounter<long>("totallator.scheduler.run.abandoned", "{run}",
            "Rows this silo's sweeper marked abandoned because their silo stopped renewing the lease (any silo may sweep a dead one's rows).");
        _claimConflicts = meter.CreateCounter<long>("totallator.scheduler.claim.conflicts", "{claim}",
            "Claims that lost the occurrence's unique constraint to another claimant, by stage (ahead, at-instant, retry).");
        _retries = meter.CreateCounter<long>("totallator.scheduler.run.retries", "{retry}", "Retry attempts started.");
        _handedOver = meter.CreateCounter<long>("totallator.scheduler.claim.handed-over", "{claim}",
            "Claims of a silo declared dead that this silo handed over to the jobs' next activations, because they fell after the dead silo's last check-in plus the start window (they never started).");
        _alertAttempts = meter.CreateCounter<long>("totallator.scheduler.alert.attempts", "{attempt}",
            "Attempts to send an alert message, by rule, channel (webhook, slack) and outcome (sent, failed: to be retried, given_up).");
        // Only once measured: before that the offset is an assumption (zero), not a reading.
        meter.CreateObservableGauge("totallator.scheduler.clock.offset",
            () => clock.Uncertainty is null ? [] : new[] { new Measurement<double>(clock.Offset.TotalSeconds) }, "s",
            "The database's clock minus this host's, as last measured (Cron:Scheduler:ClockSyncInterval); the scheduler fires by the host's clock corrected by it. Far from zero means the host's time synchronisation is off.");
        meter.CreateObservableGauge("totallator.scheduler.run.left-running", ObserveLeftRunning, "{run}",
            "Attempts still running on this silo after they were recorded, because their job ignored its cancellation (bounded per job by Cron:Scheduler:MaxAttemptsLeftRunningPerJob).");
    }

    /// <summary>Per job with <see cref="SchedulerMetricsOptions.TagJobSlug"/> (zero once they ended), else one total.</summary>
    private IEnumerable<Measurement<long>> ObserveLeftRunning()
    {
        if (!_tagJobSlug)
        {
            return [new Measurement<long>(_leftRunning.Total)];
        }
        return _leftRunning.Snapshot().Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("job", c.Key)));
    }

    /// <summary>This silo handed over <paramref name="count"/> claims of a dead silo.</summary>
    public void ClaimsHandedOver(int count) => _handedOver.Add(count);

    /// <summary>An attempt ended with <paramref name="status"/> after <paramref name="duration"/>.</summary>
    public void AttemptEnded(string jobSlug, TriggerSource trigger, ExecutionStatus status, TimeSpan duration)
    {
        if (!_runsEnded.Enabled && !_runDuration.Enabled)
        {
            return;
        }
        var tags = Tags(jobSlug, "outcome", status.ToText(), "trigger", trigger.ToText());
        _runsEnded.Add(1, tags);
        _runDuration.Record(duration.TotalSeconds, tags);
    }

    /// <summary>A scheduled or caught-up occurrence started <paramref name="lateness"/> after its instant.</summary>
    public void OccurrenceStarted(string jobSlug, TriggerSource trigger, TimeSpan lateness)
    {
        // Manual runs are due when asked and retries when their backoff ends: neither has a lateness worth a series.
        if (trigger is TriggerSource.Scheduler or TriggerSource.CatchUp && _firingLateness.Enabled)
        {
            _firingLateness.Record(Math.Max(0, lateness.TotalSeconds), Tags(jobSlug, "trigger", trigger.ToText()));
        }
    }

    /// <summary>An occurrence began (+1) or ended its last attempt (−1) on this silo.</summary>
    public void RunsActive(int delta) => _runsActive.Add(delta);

    public void RetryStarted(string jobSlug) => _retries.Add(1, Tags(jobSlug));

    public void OccurrencesMissed(string jobSlug, MisfirePolicy policy, long count)
    {
        if (count > 0)
        {
            _missed.Add(count, Tags(jobSlug, "policy", policy.ToText()));
        }
    }

    /// <summary>Occurrences skipped; <paramref name="reason"/> is a word from a fixed set (overlap, paused, attempts-left-running), never free text.</summary>
    public void OccurrencesSkipped(string jobSlug, string reason, long count)
    {
        if (count > 0)
        {
            _skipped.Add(count, Tags(jobSlug, "reason", reason));
        }
    }

    public void RunsAbandoned(long count) => _abandoned.Add(count);

    /// <summary>
    /// An attempt to send an alert message: <paramref name="outcome"/> is sent, failed or given_up. The rule's name is an admin's
    /// word from a short list, never a URL or a secret.
    /// </summary>
    public void AlertAttempt(string rule, string channel, string outcome) =>
        _alertAttempts.Add(1, new TagList { { "rule", rule }, { "channel", channel }, { "outcome", outcome } });

    /// <summary>A claim lost the unique constraint; <paramref name="stage"/> is ahead, at-instant or retry.</summary>
    public void ClaimConflict(string jobSlug, string stage) => _claimConflicts.Add(1, Tags(jobSlug, "stage", stage));

    private TagList Tags(string jobSlug, string? key1 = null, string? value1 = null, string? key2 = null, string? value2 = null)
    {
        var list = new TagList();
        if (key1 is not null)
        {
            list.Add(key1, value1);
        }
        if (key2 is not null)
        {
            list.Add(key2, value2);
        }
        if (_tagJobSlug)
        {
            list.Add("job", jobSlug);
        }
        return list;
    }
}
