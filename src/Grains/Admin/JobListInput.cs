using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Admin;

/// <summary>The job list's checks and the statistics a listed job shows (docs/admin-read.md).</summary>
internal static class JobListInput
{
    private static readonly string[] Sources = ["code", "configuration", "api"];

    /// <summary>Throws <see cref="InvalidAdminInputException"/> naming the field at fault.</summary>
    public static void Check(JobListQuery query)
    {
        if (query.Offset < 0)
        {
            throw AdminInput.Invalid("offset", $"offset must not be negative; got {query.Offset}.");
        }
        AdminInput.Range(query.Limit, 1, JobListQuery.MaxLimit, "limit");
        if (query.Search is { Length: > JobListQuery.MaxSearchLength })
        {
            throw AdminInput.Invalid("q", $"q may have at most {JobListQuery.MaxSearchLength} characters.");
        }
        if (query.Source is { } source && !Sources.Contains(source, StringComparer.Ordinal))
        {
            throw AdminInput.Invalid("source", $"Unknown source '{source}'; use one of {string.Join(", ", Sources)}.");
        }
    }

    /// <summary>
    /// The figures kept as runs end; the last run is the latest running execution when it is later than the last ended one
    /// (the statistics row is written only when attempts end).
    /// </summary>
    public static JobStatisticsRecord? Statistics(JobListRow row, DateTimeOffset now)
    {
        var lastEnded = row.Stats?.LastRun;
        var latestRunning = row.Running.Count == 0 ? null : row.Running.MaxBy(x => (x.ScheduledFor, x.RetryCount));
        var lastRun = latestRunning is not null && (lastEnded is null || (latestRunning.ScheduledFor, latestRunning.RetryCount).CompareTo((lastEnded.ScheduledFor, lastEnded.RetryCount)) > 0)
            ? latestRunning : lastEnded;
        if (row.Stats is null && lastRun is null)
        {
            return null;
        }
        return new JobStatisticsRecord(row.Stats?.ToStatistics(now) ?? JobViews.NoStatistics, lastRun, row.Running.Select(x => x.Id).ToList());
    }
}
