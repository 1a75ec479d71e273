using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Analytics;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Infrastructure;

/// <summary>
/// Days of history written straight into PostgreSQL, for the trend views and their screenshots: a job's runs the way the
/// scheduler leaves them (a row per attempt with its start, end, duration, lateness, memory and CPU), with failures, timeouts,
/// a maintenance hour of missed runs and a slow afternoon. Then <see cref="RollUpAsync"/> runs the roll-up pass over it as a
/// first pass (back-fill), as a new cluster's first silo would.
/// </summary>
public static class HistorySeeder
{
    /// <summary>One row of <c>cronJobExecution</c> to insert: an ended attempt.</summary>
    public sealed record Row(DateTimeOffset ScheduledFor, DateTimeOffset? StartedAt, DateTimeOffset CompletedAt, long? DurationMs, string Status,
        string TriggeredBy = "scheduler", double? MemoryMb = null, double? CpuPercent = null);

    /// <summary>How a seeded job behaves: its period, typical duration, and how often it fails.</summary>
    public sealed record Profile(TimeSpan Every, double TypicalMs, double FailureRate, long TimeoutMs, double MemoryMb);

    /// <summary>
    /// A job's runs every <see cref="Profile.Every"/> from <paramref name="from"/> to <paramref name="to"/>, drawn from a fixed
    /// seed: durations longer in the afternoon (UTC) and spread like real ones (log-normal), a few slow starts, failures at the
    /// profile's rate (three times it on the second day), a timeout now and then, and one hour a day missed (03:00, maintenance).
    /// </summary>
    public static IReadOnlyList<Row> Runs(Profile profile, DateTimeOffset from, DateTimeOffset to, int seed)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var rows = new List<Row>();
        var firstDay = from.UtcDateTime.Date;
        for (var at = from; at < to; at += profile.Every)
        {
            if (at.UtcDateTime.Hour == 3 && (at.UtcDateTime - firstDay).Days % 2 == 0)
            {
                rows.Add(new Row(at, null, at.AddSeconds(61), null, "missed"));
                continue;
            }
            var late = Math.Round(Math.Exp(2.5 + 0.6 * Normal())) + (random.NextDouble() < 0.01 ? random.Next(800, 2500) : 0);
            var started = at.AddMilliseconds(late);
            var afternoon = 1 + 0.8 * Math.Max(0, Math.Sin((at.UtcDateTime.Hour - 10) / 12.0 * Math.PI));
            var duration = (long)Math.Round(profile.TypicalMs * afternoon * Math.Exp(0.35 * Normal()));
            var failureRate = (at.UtcDateTime - firstDay).Days == 1 ? profile.FailureRate * 3 : profile.FailureRate;
            var status = "succeeded";
            if (random.NextDouble() < failureRate / 6)
            {
                (status, duration) = ("timed_out", profile.TimeoutMs);
            }
            else if (random.NextDouble() < failureRate)
            {
                (status, duration) = ("failed", duration / 3);
            }
            rows.Add(new Row(at, started, started.AddMilliseconds(duration), duration, status, "scheduler",
                Math.Round(profile.MemoryMb * (0.8 + 0.4 * random.NextDouble()), 1), Math.Round(15 + 70 * random.NextDouble() * afternoon / 1.8, 1)));
        }
        return rows;
    }

    /// <summary>Inserts ended attempts of one job in one statement.</summary>
    public static async Task InsertAsync(NpgsqlDataSource dataSource, Guid jobId, IReadOnlyList<Row> rows)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(rows);
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO cronJobExecution (id, cronJobId, occurrenceKey, scheduledFor, startedAt, completedAt, durationMs, status, triggeredBy,
                                          retryCount, memoryUsageMb, cpuUsagePercent, statusReason)
            SELECT gen_random_uuid(), @jobId, 'seed:' || gen_random_uuid(), u.scheduledFor, u.startedAt, u.completedAt, u.durationMs, u.status,
                   u.triggeredBy, 0, u.memory, u.cpu, CASE WHEN u.status = 'missed' THEN 'seeded: maintenance window' END
            FROM unnest(@scheduledFor::timestamptz[], @startedAt::timestamptz[], @completedAt::timestamptz[], @durationMs::bigint[],
                        @status::text[], @triggeredBy::text[], @memory::float8[], @cpu::float8[])
                 AS u(scheduledFor, startedAt, completedAt, durationMs, status, triggeredBy, memory, cpu)
            """);
        cmd.Parameters.Add(new NpgsqlParameter("jobId", NpgsqlDbType.Uuid) { Value = jobId });
        void Array<T>(string name, NpgsqlDbType type, Func<Row, T> value) =>
            cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = rows.Select(value).ToArray() });
        Array("scheduledFor", NpgsqlDbType.TimestampTz, r => r.ScheduledFor.UtcDateTime);
        Array("startedAt", NpgsqlDbType.TimestampTz, r => r.StartedAt?.UtcDateTime);
        Array("completedAt", NpgsqlDbType.TimestampTz, r => r.CompletedAt.UtcDateTime);
        Array("durationMs", NpgsqlDbType.Bigint, r => r.DurationMs);
        Array("status", NpgsqlDbType.Text, r => r.Status);
        Array("triggeredBy", NpgsqlDbType.Text, r => r.TriggeredBy);
        Array("memory", NpgsqlDbType.Double, r => r.MemoryMb);
        Array("cpu", NpgsqlDbType.Double, r => r.CpuPercent);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Runs the roll-up pass as a first pass (its record of earlier passes removed), so it back-fills the seeded days: a steady
    /// pass only looks at the last hours. Waits for a pass a silo may be running.
    /// </summary>
    public static async Task<RollupPassResult> RollUpAsync(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        // Under the pass's lock: a silo's pass running now records its own pass after it, and this one would then look back hours only.
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var forget = new NpgsqlCommand("SELECT pg_advisory_xact_lock(7401100014); DELETE FROM cronRollupPass", connection, transaction);
            await forget.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }
        var store = new PostgresRollupStore(dataSource);
        for (var attempt = 0; ; attempt++)
        {
            if (await store.RunPassAsync(new AnalyticsOptions().Policy, CancellationToken.None) is { } result)
            {
                return result;
            }
            if (attempt == 50)
            {
                throw new TimeoutException("The roll-up pass lock stayed taken for 10 s.");
            }
            await Task.Delay(200);
        }
    }
}
