using DbUp;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.History;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

/// <summary>
/// The partitioned history (0015_partitioned_history.sql): the migration of a database at 0014 with rows, partitions created
/// ahead (moving rows out of the default partition), and the cleanup that drops whole days and deletes the rest row by row.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class HistoryPartitionTests
{
    private const string JobId = "00000000-0000-0000-0000-0000000000a1";

    // Every column of every row, in id order: equal before and after means not one row or value was lost.
    private const string Fingerprint = "SELECT count(*), md5(string_agg(e::text, '|' ORDER BY e.id)) FROM cronJobExecution e";

    // laterFirst: a database that took the migrations after 0015 before 0015 itself (they shipped first); the migrator journals
    // scripts by name, so 0015 then runs last, on a schema that already has the job statistics (0016) and the list index (0017).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Migration_MovesEveryRowOfA0014Table_AndTheFenceStillRefusesADuplicate(bool laterFirst)
    {
        const string partitioned = "Totallator.Migrations.0015_partitioned_history.sql";
        bool IsMigration(string n) => n.StartsWith("Totallator.Migrations.", StringComparison.Ordinal);
        bool Before(string n) => IsMigration(n) && (string.CompareOrdinal(n, partitioned) < 0 || laterFirst && n != partitioned);
        var expected = typeof(SchemaMigrator).Assembly.GetManifestResourceNames().Where(n => IsMigration(n) && !Before(n)).Order(StringComparer.Ordinal).ToList();
        var connectionString = await PostgresServer.CreateDatabaseAsync("part");
        try
        {
            // The schema as a silo of 0014 left it, or one of 0017 without 0015.
            var upTo14 = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly, Before)
                .JournalToPostgresqlTable("public", "totallator_schema_versions").WithTransactionPerScript().WithVariablesDisabled().Build()
                .PerformUpgrade();
            Assert.True(upTo14.Successful, upTo14.Error?.Message);
            await using var db = NpgsqlDataSource.Create(connectionString);
            await ExecAsync(db, $"""
                INSERT INTO cronJob (id, slug, name, schedule, timeoutMs) VALUES ('{JobId}', 'a', 'a', '* * * * *', 1000);
                -- A row an hour over 45 days back and 10 ahead, and the odd ones: the epoch, far ahead, infinity, a running row.
                INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, completedAt, status, triggeredBy, metrics)
                SELECT gen_random_uuid(), '{JobId}', 's:' || g, g, g + interval '2 s', 'succeeded', 'scheduler', jsonb_build_object('n', 1)
                FROM generate_series(now() - interval '45 days', now() + interval '10 days', interval '1 hour') g;
                INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, completedAt, status, triggeredBy, leaseExpiresAt) VALUES
                    (gen_random_uuid(), '{JobId}', 'x:epoch', '1970-01-01', '1970-01-01', 'missed', 'scheduler', NULL),
                    (gen_random_uuid(), '{JobId}', 'o:ahead', now() + interval '400 days', NULL, 'claimed', 'one-off', now() + interval '1 day'),
                    (gen_random_uuid(), '{JobId}', 'x:infinity', 'infinity', NULL, 'skipped', 'scheduler', NULL),
                    (gen_random_uuid(), '{JobId}', 'm:running', now(), NULL, 'running', 'manual', now() + interval '1 minute');
                """);
            var before = await FingerprintAsync(db);

            var applied = await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(connectionString, CancellationToken.None);

            Assert.Equal(expected, applied);
            Assert.Contains(partitioned, applied);
            Assert.Equal(before, await FingerprintAsync(db));
            Assert.Equal("p", await ScalarAsync<string>(db, "SELECT relkind::text FROM pg_class WHERE relname = 'cronjobexecution'"));
            // The fence: the same attempt of the same occurrence inserts nothing.
            Assert.Equal(0L, await ScalarAsync<long>(db, $"""
                WITH ins AS (
                    INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, status, triggeredBy, leaseExpiresAt)
                    SELECT gen_random_uuid(), cronJobId, occurrenceKey, scheduledFor, 'claimed', 'scheduler', now() + interval '1 minute'
                    FROM cronJobExecution WHERE occurrenceKey = 'm:running'
                    ON CONFLICT (cronJobId, occurrenceKey, retryCount, scheduledFor) DO NOTHING RETURNING 1)
                SELECT count(*) FROM ins
                """));
            // The one-off 400 days ahead waits in the default partition; its day's partition, once created, takes it.
            Assert.Equal("cronjobexecution_default", await PartitionOfAsync(db, "o:ahead"));
            var ahead = await ScalarAsync<DateTime>(db, "SELECT (scheduledFor AT TIME ZONE 'UTC')::date::timestamp FROM cronJobExecution WHERE occurrenceKey = 'o:ahead'");
            Assert.Equal(1, await ScalarAsync<int>(db, $"SELECT totallator_history_partitions('{ahead:yyyy-MM-dd}', '{ahead.AddDays(1):yyyy-MM-dd}')"));
            Assert.Equal($"cronjobexecution_p{ahead:yyyyMMdd}", await PartitionOfAsync(db, "o:ahead"));
            Assert.Equal(before, await FingerprintAsync(db));
            // The cluster's pass: today is there already (the migration made it), the days ahead too.
            Assert.Equal(0, await PostgresHistoryPartitions.EnsureAsync(db, DateTimeOffset.UtcNow, 2, CancellationToken.None));
            Assert.Equal(1, await PostgresHistoryPartitions.EnsureAsync(db, DateTimeOffset.UtcNow, 3, CancellationToken.None));
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public async Task Cleanup_DropsTheDaysItMayWhole_DeletesTheRestRowByRow_AndKeepsActiveRows()
    {
        var database = new MigratedDatabase();
        await database.InitializeAsync();
        try
        {
            var db = database.DataSource;
            var now = DateTimeOffset.UtcNow;
            var today = now.UtcDateTime.Date;
            var whole = today.AddDays(-40);
            var held = today.AddDays(-35);
            foreach (var day in new[] { whole, held })
            {
                await ExecAsync(db, $"SELECT totallator_history_partitions('{day:yyyy-MM-dd}', '{day.AddDays(1):yyyy-MM-dd}')");
            }
            await ExecAsync(db, $"""
                INSERT INTO cronJob (id, slug, name, schedule, timeoutMs) VALUES ('{JobId}', 'a', 'a', '* * * * *', 1000);
                INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, completedAt, status, triggeredBy, leaseExpiresAt)
                SELECT gen_random_uuid(), '{JobId}', k, at, done, st, 'scheduler', lease
                FROM (VALUES
                    -- A whole day of ended rows: its partition goes.
                    ('w1', '{whole:yyyy-MM-dd} 01:00Z'::timestamptz, '{whole:yyyy-MM-dd} 01:00:02Z'::timestamptz, 'succeeded', NULL::timestamptz),
                    ('w2', '{whole:yyyy-MM-dd} 02:00Z', '{whole:yyyy-MM-dd} 02:00:02Z', 'failed', NULL),
                    ('w3', '{whole:yyyy-MM-dd} 23:59Z', '{whole:yyyy-MM-dd} 23:59:59Z', 'missed', NULL),
                    -- A day that still holds a run (hung for 35 days): it stays, its ended rows go one by one.
                    ('h1', '{held:yyyy-MM-dd} 01:00Z', '{held:yyyy-MM-dd} 01:00:02Z', 'succeeded', NULL),
                    ('h2', '{held:yyyy-MM-dd} 02:00Z', '{held:yyyy-MM-dd} 02:00:02Z', 'timed_out', NULL),
                    ('h3', '{held:yyyy-MM-dd} 03:00Z', NULL, 'running', now() + interval '1 minute'),
                    -- The default partition: one old enough, one ended after the cutoff.
                    ('d1', '1970-01-01Z', '1970-01-01 00:00:01Z', 'missed', NULL),
                    ('d2', '1970-01-02Z', now(), 'missed', NULL)
                ) AS v(k, at, done, st, lease);
                INSERT INTO cronJobSignal (id, downstreamId, upstreamId, upstreamOccurrenceKey, upstreamExecutionId, upstreamStatus, consumedBy)
                SELECT gen_random_uuid(), '{JobId}', '{JobId}', 'u:' || occurrenceKey, gen_random_uuid(), 'succeeded', id
                FROM cronJobExecution WHERE occurrenceKey IN ('w1', 'h1', 'h3');
                """);

            var result = await new PostgresAdminStore(db).CleanupAsync(CleanupCutoffs.At(now, 30, 365),
                new AuditEntry { Id = Guid.CreateVersion7(), At = now, Actor = "test", Action = "executions.cleanup" }, CancellationToken.None);

            Assert.Equal(6, result.Deleted);
            Assert.Null(await ScalarAsync<string>(db, $"SELECT to_regclass('cronjobexecution_p{whole:yyyyMMdd}')::text"));
            Assert.Equal(["d2", "h3"], await ReadAsync(db, "SELECT occurrenceKey FROM cronJobExecution ORDER BY occurrenceKey"));
            Assert.Equal($"cronjobexecution_p{held:yyyyMMdd}", await PartitionOfAsync(db, "h3"));
            // The signals consumed by deleted executions went with them, whichever way (as ON DELETE CASCADE did before 0015).
            Assert.Equal(["u:h3"], await ReadAsync(db, "SELECT upstreamOccurrenceKey FROM cronJobSignal"));
            Assert.Equal(6, await ScalarAsync<int>(db, "SELECT (newValues->>'deleted')::int FROM cronAudit WHERE action = 'executions.cleanup'"));
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    private static async Task<(long, string)> FingerprintAsync(NpgsqlDataSource db)
    {
        await using var cmd = db.CreateCommand(Fingerprint);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    private static Task<string> PartitionOfAsync(NpgsqlDataSource db, string key) =>
        ScalarAsync<string>(db, $"SELECT tableoid::regclass::text FROM cronJobExecution WHERE occurrenceKey = '{key}'");

    private static async Task ExecAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }

    private static async Task<List<string>> ReadAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }
}
