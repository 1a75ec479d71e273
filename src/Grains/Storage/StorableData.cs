using System.Globalization;

namespace Totallator.Grains.Storage;

/// <summary>
/// What in a row PostgreSQL refuses: text with a NUL or half a surrogate pair (see <see cref="TextSanitizer"/>), and metrics
/// JSON has no number for (NaN, ±Infinity). Pure; null when the row can be stored. The in-memory store refuses the same rows,
/// so it fails (and recovers) as the real one does.
/// </summary>
public static class StorableData
{
    public static string? ProblemOf(ExecutionCompletion completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return Text("output", completion.Output) ?? Text("errorMessage", completion.ErrorMessage) ?? Text("stackTrace", completion.StackTrace)
            ?? Text("statusReason", completion.StatusReason) ?? MetricsProblem(completion.Metrics);
    }

    public static string? ProblemOf(ExecutionClaim claim)
    {
        ArgumentNullException.ThrowIfNull(claim);
        return Text("occurrenceKey", claim.OccurrenceKey) ?? Text("triggeredByUserId", claim.TriggeredByUserId)
            ?? Text("statusReason", claim.StatusReason) ?? Text("leaseOwner", claim.LeaseOwner);
    }

    public static string? ProblemOf(UnrunOccurrence occurrence)
    {
        ArgumentNullException.ThrowIfNull(occurrence);
        return Text("occurrenceKey", occurrence.OccurrenceKey) ?? Text("statusReason", occurrence.Reason);
    }

    /// <summary>The first metric that cannot go into the <c>metrics</c> JSON column, described; null when all can.</summary>
    public static string? MetricsProblem(IReadOnlyDictionary<string, double>? metrics)
    {
        foreach (var (name, value) in metrics ?? new Dictionary<string, double>())
        {
            if (!double.IsFinite(value))
            {
                return string.Create(CultureInfo.InvariantCulture, $"metric '{TextSanitizer.Replace(name)}' is {value}, which JSON cannot hold");
            }
            if (!TextSanitizer.IsStorable(name))
            {
                return $"metric name '{TextSanitizer.Replace(name)}' holds a NUL character or half a surrogate pair";
            }
        }
        return null;
    }

    private static string? Text(string column, string? value) =>
        TextSanitizer.IsStorable(value) ? null : $"{column} holds a NUL character or half a surrogate pair";
}
