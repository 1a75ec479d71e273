using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Totallator.Grains.Analytics;
using Totallator.Grains.Storage;

namespace Totallator.Bench;

/// <summary>
/// The cost of a roll-up pass (docs/analytics.md) at a realistic size, apart from the cluster runs: `rollups [jobs] [runs per
/// day] [days]` (default 1,000 jobs × 1,440 runs a day × 1 day, 1.44 M rows a day) writes UTC days of ended attempts for every
/// job straight into a fresh database, then times a first pass (the back-fill) and three steady passes. The rows fill the whole
/// current day, as at 23:59, when a steady pass recomputes the most: the day's every row, and the current hour's; earlier days
/// make the history larger than the day, as the 30 days kept by default do.
/// </summary>
public static class RollupCost
{
    public const string Verb = "rollups";

    public static async Task<int> RunAsync(string[] args)
    {
        var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000;
        var perDay = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_440;
        var days = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        var server = Environment.GetEnvironmentVariable(DriverOptions.ServerVariable) is { Length: > 0 } s ? s : DriverOptions.DefaultServer;
        await using var database = await BenchDatabase.CreateAsync(server, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        await using (var seed = database.DataSource.CreateCommand("""
            INSERT INTO cronJob (id, slug, name, schedule, timeoutMs)
            SELECT gen_random_uuid(), 'bench-' || i, 'Bench ' || i, '* * * * *', 60000 FROM generate_series(1, @jobs) i;
            -- One day of runs per job: 98 % succeeded, 1.5 % failed, 0.5 % timed out; durations and lateness spread.
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, triggeredBy,
                                          retryCount, memoryUsageMb, cpuUsagePercent)
            SELECT gen_random_uuid(), j.id, 's:' || m, x.t, x.t + x.late * interval '1 ms', x.t + (x.late + x.d) * interval '1 ms', x.d,
                   CASE WHEN x.r < 0.015 THEN 'failed' WHEN x.r < 0.02 THEN 'timed_out' ELSE 'succeeded' END, 'scheduler', 0,
                   50 + random() * 200, random() * 100
            FROM cronJob j, generate_series(-(@days - 1) * @perDay, @perDay - 1) m,
                 LATERAL (SELECT date_trunc('day', now(), 'UTC') + m * (86400000.0 / @perDay) * interval '1 ms' AS t,
                                 (5 + random() * 40)::int AS late, (20 + random() * 2000)::bigint AS d, random() AS r) x;
            ANALYZE cronJobExecution;
            """))
        {
            seed.CommandTimeout = 0;
            seed.Parameters.Add(new NpgsqlParameter("jobs", jobs));
            seed.Parameters.Add(new NpgsqlParameter("perDay", perDay));
            seed.Parameters.Add(new NpgsqlParameter("days", days));
            await seed.ExecuteNonQueryAsync();
        }
        await Console.Error.WriteLineAsync($"rollups: seeded {jobs:N0} jobs × {perDay:N0} runs × {days} day(s) = {(long)jobs * perDay * days:N0} rows in {watch.Elapsed.TotalSeconds:N1} s");
        var store = new PostgresRollupStore(database.DataSource);
        // No spacing: the steady passes follow each other at once here.
        var policy = new AnalyticsOptions().Policy with { MinimumSpacing = TimeSpan.Zero };
        var first = (await store.RunPassAsync(policy, CancellationToken.None))!;
        Console.WriteLine($"first pass (back-fill): {first.Duration.TotalMilliseconds:N0} ms, {first.Windows} windows, {first.BucketsWritten:N0} buckets written");
        var steady = new List<RollupPassResult>();
        for (var i = 0; i < 3; i++)
        {
            steady.Add((await store.RunPassAsync(policy, CancellationToken.None))!);
        }
        var median = steady.OrderBy(p => p.Duration).ElementAt(1);
        Console.WriteLine($"steady pass: median {median.Duration.TotalMilliseconds:N0} ms of {string.Join(", ", steady.Select(p => $"{p.Duration.TotalMilliseconds:N0}"))} ms, " +
            $"{median.Windows} windows, {median.BucketsWritten:N0} buckets written");
        await using var size = database.DataSource.CreateCommand(
            "SELECT pg_size_pretty(pg_total_relation_size('cronjobrollup')), pg_size_pretty(pg_total_relation_size('cronjobexecution')), (SELECT count(*) FROM cronJobRollup)");
        await using var reader = await size.ExecuteReaderAsync();
        await reader.ReadAsync();
        Console.WriteLine($"sizes: cronJobRollup {reader.GetString(0)} ({reader.GetInt64(2):N0} rows), cronJobExecution {reader.GetString(1)}");
        return 0;
    }
}
