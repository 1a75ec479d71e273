using System.Diagnostics;
using Npgsql;
using Totallator.Grains.Storage;

namespace Totallator.Bench.Measurements;

/// <summary>
/// Listing every job with its statistics as an admin API would: the store's <c>ListJobsAsync</c>, then one aggregate query
/// over <c>cronJobExecution</c> grouped by job (success rate, last run, runs in the last 24 h), joined in memory. Run three
/// times while the silos keep firing; the median run is reported.
/// </summary>
public sealed record AdminReadFigures(int Jobs, long HistoryRows, double ListMs, double StatsMs, double TotalMs);

public static class AdminReadProbe
{
    private const int Runs = 3;

    private const string StatsQuery = """
        SELECT cronJobId,
               count(*) FILTER (WHERE status = 'succeeded')::float8
                   / NULLIF(count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'timed_out', 'abandoned')), 0) AS successRate,
               max(startedAt) AS lastRun,
               count(*) FILTER (WHERE scheduledFor >= now() - interval '24 hours') AS runs24h
        FROM cronJobExecution
        GROUP BY cronJobId
        """;

    public static async Task<AdminReadFigures> MeasureAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var store = new PostgresJobStore(database);
        var runs = new List<AdminReadFigures>();
        for (var i = 0; i < Runs; i++)
        {
            var watch = Stopwatch.StartNew();
            var jobs = await store.ListJobsAsync(cancellationToken);
            var listMs = watch.Elapsed.TotalMilliseconds;
            var stats = new Dictionary<Guid, (double? SuccessRate, DateTimeOffset? LastRun, long Runs24h)>();
            long history = 0;
            await using (var command = database.CreateCommand(StatsQuery))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    stats[reader.GetGuid(0)] = (reader.IsDBNull(1) ? null : reader.GetDouble(1),
                        reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3));
                }
            }
            var rows = jobs.Select(j => (j.Slug, Stats: stats.GetValueOrDefault(j.Id))).ToList();
            var totalMs = watch.Elapsed.TotalMilliseconds;
            history = rows.Sum(r => r.Stats.Runs24h);
            runs.Add(new AdminReadFigures(jobs.Count, history, Math.Round(listMs, 1), Math.Round(totalMs - listMs, 1), Math.Round(totalMs, 1)));
        }
        return runs.OrderBy(r => r.TotalMs).ElementAt(Runs / 2);
    }
}
