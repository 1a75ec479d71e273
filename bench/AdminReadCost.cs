using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Bench;

/// <summary>
/// The job list's cost at scale (docs/admin-read.md), apart from the cluster runs: `adminread [jobs] [completions per second]`
/// (default 100,000 jobs, 2,000/s) seeds a fresh database with the jobs and 5 ended runs each (the statistics rows back-filled
/// by migration 0016, as an upgrade does), then keeps completing runs through <see cref="PostgresJobStore.CompleteManyAsync"/>
/// (the real statement, with its statistics upsert) in batches every 100 ms while it reads the list through
/// <see cref="PostgresAdminStore.ListJobPageAsync"/>, the query grain's store call: 300 first pages of 50 (p50/p99/max), 100 pages
/// of 50 with a search and a sort, and 5 whole lists of 10,000 (median).
/// </summary>
public static class AdminReadCost
{
    public const string Verb = "adminread";

    public static async Task<int> RunAsync(string[] args)
    {
        var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var perSecond = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
        var server = Environment.GetEnvironmentVariable(DriverOptions.ServerVariable) is { Length: > 0 } s ? s : DriverOptions.DefaultServer;
        await using var database = await BenchDatabase.CreateAsync(server, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        await using (var seed = database.DataSource.CreateCommand("""
            INSERT INTO cronJob (id, slug, name, description, schedule, timeoutMs)
            SELECT gen_random_uuid(), 'bench-' || i, 'Bench ' || i, 'job number ' || i, '* * * * *', 60000 FROM generate_series(1, @jobs) i;
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, triggeredBy)
            SELECT gen_random_uuid(), j.id, 's:' || m, now() - m * interval '1 minute', now() - m * interval '1 minute',
                   now() - m * interval '1 minute' + interval '20 ms', 20, CASE WHEN random() < 0.02 THEN 'failed' ELSE 'succeeded' END, 'scheduler'
            FROM cronJob j, generate_series(2, 6) m;
            DELETE FROM cronJobStats;
            ANALYZE cronJob; ANALYZE cronJobExecution;
            """))
        {
            seed.CommandTimeout = 0;
            seed.Parameters.Add(new NpgsqlParameter("jobs", jobs));
            await seed.ExecuteNonQueryAsync();
        }
        // The back-fill as the migration runs it on an upgrade.
        var backFillWatch = Stopwatch.StartNew();
        await using (var script = typeof(SchemaMigrator).Assembly.GetManifestResourceStream("Totallator.Migrations.0016_job_stats.sql")!)
        await using (var backFill = database.DataSource.CreateCommand(await new StreamReader(script).ReadToEndAsync()))
        {
            backFill.CommandTimeout = 0;
            await backFill.ExecuteNonQueryAsync();
        }
        await using (var analyze = database.DataSource.CreateCommand("ANALYZE cronJobStats"))
        {
            await analyze.ExecuteNonQueryAsync();
        }
        Console.WriteLine($"seeded {jobs:N0} jobs × 5 runs in {watch.Elapsed.TotalSeconds - backFillWatch.Elapsed.TotalSeconds:N1} s; back-fill (0016) {backFillWatch.Elapsed.TotalSeconds:N1} s");

        using var stop = new CancellationTokenSource();
        var firing = FireAsync(database.DataSource, jobs, perSecond, stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(3));
        var admin = new PostgresAdminStore(database.DataSource);
        var first = await TimeAsync(admin, new JobListQuery { Limit = 50 }, 300);
        var searched = await TimeAsync(admin, new JobListQuery { Limit = 50, Search = "number 77", Sort = JobListSort.LastRun, Descending = true }, 100);
        var whole = await TimeAsync(admin, new JobListQuery { Limit = JobListQuery.MaxLimit, Sort = JobListSort.Name }, 5);
        await stop.CancelAsync();
        var completed = await firing;
        Console.WriteLine($"list page (limit=50) at {jobs:N0} jobs while completing: p50 {Pct(first, 0.5):N1} ms, p99 {Pct(first, 0.99):N1} ms, max {first.Max():N1} ms ({first.Count} reads)");
        Console.WriteLine($"list page (limit=50, q + sort=last_run desc): p50 {Pct(searched, 0.5):N1} ms, p99 {Pct(searched, 0.99):N1} ms ({searched.Count} reads)");
        Console.WriteLine($"whole list (limit=10000, sort=name): median {Pct(whole, 0.5):N1} ms of {string.Join(", ", whole.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)))} ms");
        Console.WriteLine($"completions meanwhile: {completed.Count:N0} in {completed.Seconds:N1} s ({completed.Count / completed.Seconds:N0}/s), statement p50 {completed.P50:N1} ms, p99 {completed.P99:N1} ms");
        return 0;
    }

    private static async Task<List<double>> TimeAsync(PostgresAdminStore admin, JobListQuery query, int reads)
    {
        var times = new List<double>();
        for (var i = 0; i < reads; i++)
        {
            var watch = Stopwatch.StartNew();
            var page = await admin.ListJobPageAsync(query, DateTimeOffset.UtcNow, CancellationToken.None);
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (page.Rows.Count == 0)
            {
                throw new BenchException("The list read no job.");
            }
        }
        return times;
    }

    private static double Pct(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }

    /// <summary>Runs of random jobs claimed running (plain inserts) and ended through the real completion statement, every 100 ms.</summary>
    private static async Task<(int Count, double Seconds, double P50, double P99)> FireAsync(NpgsqlDataSource db, int jobs, int perSecond, CancellationToken stop)
    {
        var store = new PostgresJobStore(db);
        var batch = Math.Max(1, perSecond / 10);
        var times = new List<double>();
        var watch = Stopwatch.StartNew();
        var count = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (!stop.IsCancellationRequested)
        {
            await using var claim = db.CreateCommand("""
                INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, status, triggeredBy, leaseOwner, leaseExpiresAt)
                SELECT gen_random_uuid(), j.id, 'm:' || gen_random_uuid(), now(), now(), 'running', 'manual', 'bench', now() + interval '5 minutes'
                FROM (SELECT id FROM cronJob OFFSET floor(random() * greatest(@jobs - @batch, 1)) LIMIT @batch) j
                RETURNING id
                """);
            claim.Parameters.Add(new NpgsqlParameter("jobs", jobs));
            claim.Parameters.Add(new NpgsqlParameter("batch", batch));
            var ids = new List<Guid>();
            await using (var reader = await claim.ExecuteReaderAsync(CancellationToken.None))
            {
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    ids.Add(reader.GetGuid(0));
                }
            }
            var now = DateTimeOffset.UtcNow;
            var one = Stopwatch.StartNew();
            await store.CompleteManyAsync(ids.Select(id => new ExecutionCompletion
            {
                ExecutionId = id, Status = ExecutionStatus.Succeeded, StartedAt = now, CompletedAt = now, DurationMs = 3, Final = true,
            }).ToList(), CancellationToken.None);
            times.Add(one.Elapsed.TotalMilliseconds);
            count += ids.Count;
            try
            {
                await timer.WaitForNextTickAsync(stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return (count, watch.Elapsed.TotalSeconds, Pct(times, 0.5), Pct(times, 0.99));
    }
}
