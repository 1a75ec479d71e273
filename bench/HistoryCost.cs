using System.Diagnostics;
using System.Globalization;
using DbUp;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;

namespace Totallator.Bench;

/// <summary>
/// `--only history`: the history at volume, before and after its partitioning (0015), apart from any cluster. One database
/// at schema 0014 is seeded straight with SQL (default 3,000 jobs × 104 runs a day × 32 UTC days ≈ 10 M ended rows: 96.5 %
/// succeeded, 2 % failed, 0.5 % timed out, 1 % missed; durations 20 ms to 2 s), then measured (the day's cleanup in a
/// transaction rolled back, so the rows stay); then migrated to 0015 (timed) and measured again. The cleanup's cutoff is
/// 04:17 of the oldest day + 1, as the built-in job's: one whole day and 4 h 17 min of the next. Reads are the admin store's
/// own methods, median of 5 after one warm-up.
/// </summary>
public static class HistoryCost
{
    public const string Name = "history";

    public static async Task<int> RunAsync(int jobs = 3_000, int perDay = 104, int days = 32)
    {
        var server = Environment.GetEnvironmentVariable(DriverOptions.ServerVariable) is { Length: > 0 } s ? s : DriverOptions.DefaultServer;
        await using var database = await BenchDatabase.CreateEmptyAsync(server, CancellationToken.None);
        var upTo14 = DeployChanges.To.PostgresqlDatabase(database.ConnectionString)
            .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly,
                n => n.StartsWith("Totallator.Migrations.", StringComparison.Ordinal) && string.CompareOrdinal(n, "Totallator.Migrations.0015") < 0)
            .JournalToPostgresqlTable("public", "totallator_schema_versions").WithTransactionPerScript().WithVariablesDisabled().Build().PerformUpgrade();
        if (!upTo14.Successful)
        {
            throw new BenchException($"history: schema 0014: {upTo14.Error?.Message}");
        }
        // No 30 s command limit: at this volume the statistics of every job can take longer on a loaded machine, and the
        // figure is what is wanted, not a timeout.
        await using var db = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { CommandTimeout = 0 }.ConnectionString);
        var watch = Stopwatch.StartNew();
        await ExecAsync(db, """
            INSERT INTO cronJob (id, slug, name, schedule, timeoutMs)
            SELECT gen_random_uuid(), 'bench-' || i, 'Bench ' || i, '*/14 * * * *', 60000 FROM generate_series(1, @jobs) i;
            -- Keys and indexes built after the rows (as 0014 has them), not kept up to date row by row: ten times faster.
            ALTER TABLE cronJobSignal DROP CONSTRAINT cronjobsignal_consumedby_fkey;
            ALTER TABLE cronJobExecution DROP CONSTRAINT cronjobexecution_pkey, DROP CONSTRAINT cronjobexecution_occurrence_attempt_unique,
                DROP CONSTRAINT cronjobexecution_cronjobid_fkey;
            DROP INDEX cronjobexecution_job_scheduled_idx, cronjobexecution_active_lease_idx, cronjobexecution_completed_idx,
                cronjobexecution_running_job_idx, cronjobexecution_released_idx;
            -- Time-ordered ids, as Guid.CreateVersion7 makes them.
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, triggeredBy,
                                          retryCount, memoryUsageMb, cpuUsagePercent, statusReason)
            SELECT (lpad(to_hex((extract(epoch FROM x.t) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid,
                   j.id, 's:' || m, x.t,
                   CASE WHEN x.r >= 0.99 THEN NULL ELSE x.t + x.late * interval '1 ms' END,
                   x.t + (x.late + x.d) * interval '1 ms',
                   CASE WHEN x.r >= 0.99 THEN NULL ELSE x.d END,
                   CASE WHEN x.r < 0.02 THEN 'failed' WHEN x.r < 0.025 THEN 'timed_out' WHEN x.r >= 0.99 THEN 'missed' ELSE 'succeeded' END,
                   'scheduler', 0, 50 + random() * 200, random() * 100,
                   CASE WHEN x.r >= 0.99 THEN 'misfire (run_once): fell due while it could not run' END
            FROM generate_series(-(@days - 1) * @perDay, @perDay - 1) m, cronJob j,
                 LATERAL (SELECT date_trunc('day', now(), 'UTC') + m * (86400000.0 / @perDay) * interval '1 ms' + (hashtext(j.slug) & 1023) * interval '1 s' AS t,
                                 (5 + random() * 40)::int AS late, (20 + random() * 2000)::bigint AS d, random() AS r) x
            ;
            ALTER TABLE cronJobExecution ADD CONSTRAINT cronjobexecution_pkey PRIMARY KEY (id),
                ADD CONSTRAINT cronjobexecution_occurrence_attempt_unique UNIQUE (cronJobId, occurrenceKey, retryCount),
                ADD CONSTRAINT cronjobexecution_cronjobid_fkey FOREIGN KEY (cronJobId) REFERENCES cronJob (id) ON DELETE CASCADE;
            CREATE INDEX cronjobexecution_job_scheduled_idx ON cronJobExecution (cronJobId, scheduledFor DESC);
            CREATE INDEX cronjobexecution_active_lease_idx ON cronJobExecution (leaseExpiresAt) WHERE status IN ('running', 'claimed');
            CREATE INDEX cronjobexecution_completed_idx ON cronJobExecution (completedAt);
            CREATE INDEX cronjobexecution_running_job_idx ON cronJobExecution (cronJobId) WHERE status = 'running';
            CREATE INDEX cronjobexecution_released_idx ON cronJobExecution (cronJobId) WHERE status = 'claimed' AND leaseOwner IS NULL;
            ALTER TABLE cronJobSignal ADD CONSTRAINT cronjobsignal_consumedby_fkey FOREIGN KEY (consumedBy) REFERENCES cronJobExecution (id) ON DELETE CASCADE;
            ANALYZE;
            """, ("jobs", jobs), ("perDay", perDay), ("days", days));
        var rows = await ScalarAsync<long>(db, "SELECT count(*) FROM cronJobExecution");
        await Console.Error.WriteLineAsync($"history: seeded {jobs:N0} jobs × {perDay:N0} runs × {days} day(s) = {rows:N0} rows in {watch.Elapsed.TotalSeconds:N1} s");
        var oldest = await ScalarAsync<DateTime>(db, "SELECT date_trunc('day', min(scheduledFor), 'UTC') AT TIME ZONE 'UTC' FROM cronJobExecution");
        var cutoff = new DateTimeOffset(oldest.AddDays(1).AddHours(4).AddMinutes(17), TimeSpan.Zero);
        var job = await ScalarAsync<Guid>(db, "SELECT id FROM cronJob WHERE slug = 'bench-1'");

        var before = await MeasureAsync(db, job, cutoff, partitioned: false);
        watch.Restart();
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(database.ConnectionString, CancellationToken.None);
        var migration = watch.Elapsed;
        await ExecAsync(db, "ANALYZE");
        var partitions = await ScalarAsync<long>(db, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'cronjobexecution'::regclass");
        await Console.Error.WriteLineAsync($"history: migrated to 0015 in {migration.TotalSeconds:N1} s ({partitions} partitions)");
        var after = await MeasureAsync(db, job, cutoff, partitioned: true);

        Console.WriteLine($"history: {rows:N0} rows ({jobs:N0} jobs × {perDay} runs/day × {days} days); cleanup cutoff {cutoff:yyyy-MM-dd HH:mm}Z; " +
                          $"migration 0014 → 0015: {migration.TotalSeconds:N1} s, {partitions} partitions after");
        Console.WriteLine();
        Console.WriteLine("figure                                   | before (0014, one table) | after (0015, daily partitions)");
        Console.WriteLine("-----------------------------------------+--------------------------+-------------------------------");
        foreach (var (label, b, a) in before.Lines.Zip(after.Lines, (b, a) => (b.Label, b.Value, a.Value)))
        {
            Console.WriteLine($"{label,-40} | {b,-24} | {a}");
        }
        return 0;
    }

    private sealed record Figures(List<(string Label, string Value)> Lines);

    private static async Task<Figures> MeasureAsync(NpgsqlDataSource db, Guid job, DateTimeOffset cutoff, bool partitioned)
    {
        var lines = new List<(string, string)>();
        var admin = new PostgresAdminStore(db);
        var now = DateTimeOffset.UtcNow;
        lines.Add(("job's execution page (50 newest) ms", Ms(await MedianAsync(() => admin.GetExecutionPageAsync(job, "bench-1", new ExecutionQuery { Slug = "bench-1" }, CancellationToken.None)))));
        lines.Add(("execution page 40 (offset 2000) ms", Ms(await MedianAsync(() => admin.GetExecutionPageAsync(job, "bench-1", new ExecutionQuery { Slug = "bench-1", Offset = 2000 }, CancellationToken.None)))));
        lines.Add(("statistics of one job ms", Ms(await MedianAsync(() => admin.GetStatisticsAsync(job, now, CancellationToken.None)))));
        lines.Add(("statistics of every job (job list) ms", Ms(await MedianAsync(() => admin.GetStatisticsAsync(null, now, CancellationToken.None), runs: 3))));
        lines.Add(("activity (active + 50 latest ended) ms", Ms(await MedianAsync(() => admin.GetActivityAsync(null, 50, CancellationToken.None)))));
        // The hot path's lock (CompleteExecutions', MarkStarted's, RenewLeases' `locked` CTE): 100 of the newest rows, locked and
        // let go, named by id within their span of instants as the writers name them (ScheduledSpan); and by id alone, as
        // before the span (and as an admin read of one execution still does), which probes every partition.
        var (ids, from, to) = await ReadIdsAsync(db);
        lines.Add(("lock 100 rows by id within their span ms", Ms(await MedianAsync(() => LockByIdAsync(db, ids, from, to)))));
        lines.Add(("lock 100 rows by id alone ms", Ms(await MedianAsync(() => LockByIdAsync(db, ids, null, null)))));

        var deletable = await ScalarAsync<long>(db, "SELECT count(*) FROM cronJobExecution WHERE status NOT IN ('running', 'claimed') AND completedAt < @cutoff", ("cutoff", cutoff));
        var wal0 = await ScalarAsync<string>(db, "SELECT pg_current_wal_lsn()::text");
        var watch = Stopwatch.StartNew();
        long deleted;
        if (partitioned)
        {
            var result = await admin.CleanupAsync(new CleanupCutoffs(cutoff, 30, cutoff.AddYears(-5), 365, now.AddHours(-24)),
                new AuditEntry { Id = Guid.CreateVersion7(), At = now, Actor = "bench", Action = "executions.cleanup" }, CancellationToken.None);
            deleted = result.Deleted;
        }
        else
        {
            // The cleanup's own statement before 0015, rolled back so the same rows are there for the migration.
            await using var connection = await db.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand("DELETE FROM cronJobExecution WHERE status NOT IN ('running', 'claimed') AND completedAt < @cutoff", connection, tx) { CommandTimeout = 0 };
            cmd.Parameters.AddWithValue("cutoff", cutoff);
            deleted = await cmd.ExecuteNonQueryAsync();
            await tx.RollbackAsync();
        }
        var elapsed = watch.Elapsed;
        var wal = await ScalarAsync<decimal>(db, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), @wal0::pg_lsn)", ("wal0", wal0));
        lines.Add(("cleanup: rows deleted (of deletable)", $"{deleted:N0} of {deletable:N0}"));
        lines.Add(("cleanup: time s", (elapsed.TotalSeconds).ToString("N2", CultureInfo.InvariantCulture)));
        lines.Add(("cleanup: WAL written MB", (wal / 1_048_576m).ToString("N1", CultureInfo.InvariantCulture)));
        var size = await ScalarAsync<long>(db, "SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c WHERE c.relname LIKE 'cronjobexecution%' AND c.relkind = 'r'");
        lines.Add(("history size after cleanup (tables+indexes) MB", (size / 1_048_576).ToString("N0", CultureInfo.InvariantCulture)));
        return new Figures(lines);
    }

    private static async Task<(Guid[] Ids, DateTimeOffset From, DateTimeOffset To)> ReadIdsAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand("SELECT id, scheduledFor FROM cronJobExecution WHERE scheduledFor < now() ORDER BY scheduledFor DESC LIMIT 100");
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(Guid Id, DateTimeOffset At)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }
        return ([.. rows.Select(r => r.Id)], rows.Min(r => r.At), rows.Max(r => r.At));
    }

    private static async Task<int> LockByIdAsync(NpgsqlDataSource db, Guid[] ids, DateTimeOffset? from, DateTimeOffset? to)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT id FROM cronJobExecution
            WHERE id = ANY(@ids) AND scheduledFor >= COALESCE(@spanFrom::timestamptz, '-infinity') AND scheduledFor <= COALESCE(@spanTo::timestamptz, 'infinity')
            ORDER BY id FOR UPDATE
            """, connection, tx);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.Add(new NpgsqlParameter("spanFrom", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)from ?? DBNull.Value });
        cmd.Parameters.Add(new NpgsqlParameter("spanTo", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = (object?)to ?? DBNull.Value });
        var n = 0;
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                n++;
            }
        }
        await tx.RollbackAsync();
        return n;
    }

    private static async Task<TimeSpan> MedianAsync<T>(Func<Task<T>> read, int runs = 5)
    {
        await read();
        var times = new List<TimeSpan>();
        for (var i = 0; i < runs; i++)
        {
            var watch = Stopwatch.StartNew();
            await read();
            times.Add(watch.Elapsed);
        }
        return times.Order().ElementAt(runs / 2);
    }

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("N1", CultureInfo.InvariantCulture);

    private static async Task ExecAsync(NpgsqlDataSource db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var cmd = db.CreateCommand(sql);
        cmd.CommandTimeout = 0;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value);
        }
        return (T)(await cmd.ExecuteScalarAsync())!;
    }
}
