using System.Collections;
using System.Globalization;
using Totallator.Grains.Execution;

namespace Totallator.Grains.Diagnostics;

/// <summary>
/// The log scope of one occurrence: <c>JobSlug</c>, <c>ExecutionId</c>, <c>OccurrenceKey</c> and <c>ScheduledFor</c> on every line
/// written while it runs (the job grain's run path, the attempt runner, the job's own logger). Structured (key/value pairs) for
/// the JSON console formatter and OpenTelemetry; <see cref="ToString"/> is what the simple console formatter prints.
/// </summary>
/// <remarks>
/// The execution id is read from the run when a line is written, so one scope spans every attempt of the occurrence and each
/// line names the attempt it belongs to (a retry is a new execution row).
/// </remarks>
public sealed class RunLogScope(string jobSlug, ActiveRun run, string occurrenceKey, DateTimeOffset scheduledFor)
    : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("JobSlug", jobSlug),
        1 => new("ExecutionId", run.CurrentExecutionId),
        2 => new("OccurrenceKey", occurrenceKey),
        3 => new("ScheduledFor", scheduledFor),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"JobSlug:{jobSlug} ExecutionId:{run.CurrentExecutionId} OccurrenceKey:{occurrenceKey} ScheduledFor:{scheduledFor:O}");
}
