using System.Diagnostics;
using Npgsql;
using Totallator.Grains.Storage;

namespace Totallator.Bench.Measurements;

/// <summary>
/// Listing every job with its statistics exactly as <c>GET /api/cron/jobs</c> does it (the query grain's two store calls):
/// <c>ListJobsAsync</c>, then <c>PostgresAdminStore.GetStatisticsAsync</c> for all jobs — last 100 ended attempts per job for
/// rates and percentiles, 24-hour counts, last run, running ids. Run three times while the silos keep firing; the median run is
/// reported, with the size of the history it read from.
/// </summary>
public sealed record AdminReadFigures(int Jobs, long HistoryRows, double ListMs, double StatsMs, double TotalMs);

public static class AdminReadProbe
{
    private const int Runs = 3;

    public static async Task<AdminReadFigures> MeasureAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var jobStore = new PostgresJobStore(database);
        var adminStore = new PostgresAdminStore(database);
        long history;
        await using (var count = database.CreateCommand("SELECT count(*) FROM cronJobExecution"))
        {
            history = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }
        var runs = new List<AdminReadFigures>();
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var jobs = await jobStore.ListJobsAsync(cancellationToken);
            var listMs = watch.Elapsed.TotalMilliseconds;
            var stats = await adminStore.GetStatisticsAsync(null, DateTimeOffset.UtcNow, cancellationToken);
            var joined = jobs.Count(j => stats.ContainsKey(j.Id));
            var totalMs = watch.Elapsed.TotalMilliseconds;
            if (joined != jobs.Count)
            {
                throw new BenchException($"Statistics covered {joined} of {jobs.Count} jobs; every job must have a row.");
            }
            runs.Add(new AdminReadFigures(jobs.Count, history, Math.Round(listMs, 1), Math.Round(totalMs - listMs, 1), Math.Round(totalMs, 1)));
        }
        return runs.OrderBy(r => r.TotalMs).ElementAt(Runs / 2);
    }
}
