using System.Globalization;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Execution;

/// <summary>
/// Makes an attempt's outcome storable where it is produced, whatever the job returned or threw: text through
/// <see cref="TextSanitizer"/> (a NUL or half a surrogate pair replaced, and noted), and figures JSON or the admin API cannot
/// carry (NaN, ±Infinity) dropped, with a note at the end of the output naming them. Pure.
/// </summary>
public static class OutcomeSanitizer
{
    public static AttemptOutcome Clean(AttemptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var dropped = new List<string>();
        var metrics = CleanMetrics(outcome.Metrics, dropped);
        var memory = Finite(outcome.MemoryUsageMb, "memoryUsageMb", dropped);
        var cpu = Finite(outcome.CpuUsagePercent, "cpuUsagePercent", dropped);
        var output = TextSanitizer.Clean(outcome.Output);
        if (dropped.Count > 0)
        {
            var note = $"[not recorded, JSON has no number for: {string.Join(", ", dropped)}]";
            output = output is null ? note : $"{output}{(output.EndsWith('\n') ? "" : "\n")}{note}";
        }
        return outcome with
        {
            Output = output,
            ErrorMessage = TextSanitizer.Clean(outcome.ErrorMessage),
            StackTrace = TextSanitizer.Clean(outcome.StackTrace),
            StatusReason = TextSanitizer.Clean(outcome.StatusReason),
            Metrics = metrics,
            MemoryUsageMb = memory,
            CpuUsagePercent = cpu,
        };
    }

    private static IReadOnlyDictionary<string, double>? CleanMetrics(IReadOnlyDictionary<string, double>? metrics, List<string> dropped)
    {
        if (metrics is null || metrics.All(m => double.IsFinite(m.Value) && TextSanitizer.IsStorable(m.Key)))
        {
            return metrics;
        }
        var kept = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in metrics)
        {
            var storableName = TextSanitizer.Replace(name)!;
            if (!double.IsFinite(value))
            {
                dropped.Add(Describe($"metric '{storableName}'", value));
            }
            else
            {
                // A name that differed only by a NUL from another keeps the first value.
                kept.TryAdd(storableName, value);
            }
        }
        return kept;
    }

    private static double? Finite(double? value, string field, List<string> dropped)
    {
        if (value is { } v && !double.IsFinite(v))
        {
            dropped.Add(Describe(field, v));
            return null;
        }
        return value;
    }

    private static string Describe(string what, double value) => string.Create(CultureInfo.InvariantCulture, $"{what} = {value}");
}
