using System.Diagnostics;
using Npgsql;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;

namespace Totallator.Bench.Measurements;

/// <summary>
/// The job list as <c>GET /api/cron/jobs</c> reads it (the query grain's store call, docs/admin-read.md), while the silos keep
/// firing: the first page of 50 read 30 times (p99), and the whole list (<see cref="JobListQuery.MaxLimit"/> jobs at most)
/// read three times (median), with the size of the history (which the list no longer reads).
/// </summary>
public sealed record AdminReadFigures(int Jobs, long HistoryRows, double PageP99Ms, double WholeListMs)
{
    public double TotalMs => PageP99Ms + WholeListMs;
}

public static class AdminReadProbe
{
    public static async Task<AdminReadFigures> MeasureAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var adminStore = new PostgresAdminStore(database);
        long history;
        await using (var count = database.CreateCommand("SELECT count(*) FROM cronJobExecution"))
        {
            history = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }
        var pages = new List<double>();
        for (var i = 0; i < 30; i++)
        {
            pages.Add(await TimeAsync(adminStore, new JobListQuery { Limit = 50 }, cancellationToken));
        }
        var whole = new List<double>();
        var jobs = 0;
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            var page = await adminStore.ListJobPageAsync(new JobListQuery { Limit = JobListQuery.MaxLimit }, DateTimeOffset.UtcNow, cancellationToken);
            whole.Add(watch.Elapsed.TotalMilliseconds);
            jobs = page.Total;
        }
        return new AdminReadFigures(jobs, history, Math.Round(pages.Order().ElementAt((int)Math.Ceiling(0.99 * pages.Count) - 1), 1),
            Math.Round(whole.Order().ElementAt(1), 1));
    }

    private static async Task<double> TimeAsync(PostgresAdminStore store, JobListQuery query, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await store.ListJobPageAsync(query, DateTimeOffset.UtcNow, cancellationToken);
        return watch.Elapsed.TotalMilliseconds;
    }
}
