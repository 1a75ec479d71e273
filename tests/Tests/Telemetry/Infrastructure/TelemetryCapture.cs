using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Totallator.Grains.Diagnostics;

namespace Totallator.Tests.Telemetry.Infrastructure;

/// <summary>One measurement of a scheduler instrument, with the meter that took it (each silo has its own).</summary>
public sealed record Measurement(string Instrument, object? MeterScope, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string? Tag(string key) => Tags.TryGetValue(key, out var value) ? value?.ToString() : null;
}

/// <summary>
/// Listens to the <c>Totallator.Scheduler</c> meter and activity source of every silo in the test process, as an exporter would.
/// Other test clusters share the process: tests pick their own series by the <c>job</c> tag or by their silo's meter.
/// </summary>
public sealed class TelemetryCapture : IDisposable
{
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _activities;
    private readonly ConcurrentQueue<Measurement> _measurements = new();
    private readonly ConcurrentQueue<Activity> _stopped = new();

    public TelemetryCapture()
    {
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SchedulerInstruments.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meters.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _meters.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _meters.Start();
        _activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SchedulerInstruments.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_activities);
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }
        _measurements.Enqueue(new Measurement(instrument.Name, instrument.Meter.Scope, value, copy));
    }

    /// <summary>Measurements of <paramref name="instrument"/> tagged with job <paramref name="jobSlug"/>.</summary>
    public IReadOnlyList<Measurement> Of(string instrument, string jobSlug) =>
        _measurements.Where(m => m.Instrument == instrument && m.Tag("job") == jobSlug).ToList();

    /// <summary>Every measurement of <paramref name="instrument"/>, of any silo in the process.</summary>
    public IReadOnlyList<Measurement> All(string instrument) => _measurements.Where(m => m.Instrument == instrument).ToList();

    /// <summary>Measurements of <paramref name="instrument"/> taken by the meter of one silo (its <c>IMeterFactory</c>).</summary>
    public IReadOnlyList<Measurement> OfMeter(string instrument, object meterScope) =>
        _measurements.Where(m => m.Instrument == instrument && ReferenceEquals(m.MeterScope, meterScope)).ToList();

    /// <summary>
    /// The value observable gauge <paramref name="instrument"/> reports for job <paramref name="jobSlug"/> now (as an exporter's
    /// collection would read it), or null when it reports none.
    /// </summary>
    public double? Observe(string instrument, string jobSlug)
    {
        // Observable instruments report only when collected; the measurements land in the queue like any other.
        var before = _measurements.Count;
        _meters.RecordObservableInstruments();
        return _measurements.Skip(before).LastOrDefault(m => m.Instrument == instrument && m.Tag("job") == jobSlug)?.Value;
    }

    /// <summary>Stopped activities named <paramref name="name"/> of job <paramref name="jobSlug"/>.</summary>
    public IReadOnlyList<Activity> Activities(string name, string jobSlug) =>
        _stopped.Where(a => a.OperationName == name && (a.GetTagItem("totallator.job.slug") as string) == jobSlug).ToList();

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming the phase.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string phase)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{phase}: not reached within {timeout}.");
            }
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        _meters.Dispose();
        _activities.Dispose();
    }
}
