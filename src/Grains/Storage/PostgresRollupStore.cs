using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Analytics;
using Totallator.Grains.Interfaces.Admin;
using static Totallator.Grains.Storage.NpgsqlCommands;

namespace Totallator.Grains.Storage;

/// <summary>
/// The roll-ups in PostgreSQL (0014_job_rollups.sql). A pass is one transaction under an advisory lock: it reads the database
/// time, the last pass, the history cleanup's latest cutoff and the history's first end, plans in C# (<see cref="RollupPlanner"/>), then runs one
/// statement per window, one deletion of expired buckets and the record of the pass.
/// </summary>
public sealed partial class PostgresRollupStore(NpgsqlDataSource dataSource) : IRollupStore
{
    public async Task<RollupPassResult?> RunPassAsync(RollupPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var watch = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand(TryLockPass, connection, transaction))
        {
            if (await take.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return null;
            }
        }
        await using (var bound = new NpgsqlCommand(OneBackend, connection, transaction))
        {
            await bound.ExecuteNonQueryAsync(cancellationToken);
        }
        DateTimeOffset now;
        DateTimeOffset? lastPassAt, cleanedBefore, firstEnd;
        await using (var read = new NpgsqlCommand(ReadPassState, connection, transaction))
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            now = reader.GetFieldValue<DateTimeOffset>(0);
            lastPassAt = reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1);
            cleanedBefore = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
            firstEnd = reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3);
        }
        if (!RollupPlanner.IsDue(now, lastPassAt, policy))
        {
            return null;
        }
        var plan = RollupPlanner.Plan(now, lastPassAt, cleanedBefore, firstEnd, policy);
        int written = 0, deleted = 0;
        foreach (var window in plan.Windows)
        {
            await using var cmd = new NpgsqlCommand(RecomputeWindow, connection, transaction);
            cmd.Parameters.Add(Param("size", NpgsqlDbType.Text, SizeText(window.Size)));
            cmd.Parameters.Add(Param("from", NpgsqlDbType.TimestampTz, window.From));
            cmd.Parameters.Add(Param("to", NpgsqlDbType.TimestampTz, window.To));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            written += reader.GetInt32(0);
            deleted += reader.GetInt32(1);
        }
        await using (var expire = new NpgsqlCommand(DeleteExpired, connection, transaction))
        {
            expire.Parameters.Add(Param("keepDaysFrom", NpgsqlDbType.TimestampTz, plan.KeepDaysFrom));
            expire.Parameters.Add(Param("keepHoursFrom", NpgsqlDbType.TimestampTz, plan.KeepHoursFrom));
            deleted += (int)(await expire.ExecuteScalarAsync(cancellationToken))!;
        }
        var duration = watch.Elapsed;
        await using (var record = new NpgsqlCommand(RecordPass, connection, transaction))
        {
            record.Parameters.Add(Param("at", NpgsqlDbType.TimestampTz, now));
            record.Parameters.Add(Param("durationMs", NpgsqlDbType.Bigint, (long)duration.TotalMilliseconds));
            record.Parameters.Add(Param("written", NpgsqlDbType.Integer, written));
            record.Parameters.Add(Param("deleted", NpgsqlDbType.Integer, deleted));
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new RollupPassResult(now, plan.Windows.Count, written, deleted, watch.Elapsed);
    }

    public async Task<IReadOnlyList<TrendBucket>> ReadBucketsAsync(Guid jobId, TrendBucketSize size, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectBuckets);
        cmd.Parameters.Add(Param("jobId", NpgsqlDbType.Uuid, jobId));
        cmd.Parameters.Add(Param("size", NpgsqlDbType.Text, SizeText(size)));
        cmd.Parameters.Add(Param("from", NpgsqlDbType.TimestampTz, from));
        cmd.Parameters.Add(Param("to", NpgsqlDbType.TimestampTz, to));
        return await cmd.ReadAllAsync(ReadBucket, cancellationToken);
    }

    public async Task<IReadOnlyDictionary<Guid, RollupCounts>> ReadCountsAsync(TrendBucketSize size, DateTimeOffset from, DateTimeOffset to,
        CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectCounts);
        cmd.Parameters.Add(Param("size", NpgsqlDbType.Text, SizeText(size)));
        cmd.Parameters.Add(Param("from", NpgsqlDbType.TimestampTz, from));
        cmd.Parameters.Add(Param("to", NpgsqlDbType.TimestampTz, to));
        var rows = await cmd.ReadAllAsync(r => (Id: r.GetGuid(0), Counts: new RollupCounts(r.GetInt32(1), r.GetInt32(2), r.GetInt32(3))), cancellationToken);
        return rows.ToDictionary(x => x.Id, x => x.Counts);
    }

    public async Task<RollupPassRecord?> ReadLastPassAsync(CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand(SelectLastPass);
        var rows = await cmd.ReadAllAsync(r => new RollupPassRecord(r.GetFieldValue<DateTimeOffset>(0), TimeSpan.FromMilliseconds(r.GetInt64(1)),
            r.GetInt32(2), r.GetInt32(3)), cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    internal static string SizeText(TrendBucketSize size) => size == TrendBucketSize.Hour ? "hour" : "day";

    private static TrendBucket ReadBucket(NpgsqlDataReader r)
    {
        double? Real(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
        int succeeded = r.GetInt32(2), failed = r.GetInt32(3), timedOut = r.GetInt32(4), abandoned = r.GetInt32(5);
        return new TrendBucket
        {
            Start = r.GetFieldValue<DateTimeOffset>(0), Runs = r.GetInt32(1), Succeeded = succeeded, Failed = failed, TimedOut = timedOut,
            Abandoned = abandoned, Skipped = r.GetInt32(6), Missed = r.GetInt32(7),
            SuccessRate = TrendViews.SuccessRate(succeeded, succeeded + failed + timedOut + abandoned),
            DurationP50Ms = Real(8), DurationP95Ms = Real(9), DurationMaxMs = r.IsDBNull(10) ? null : r.GetInt64(10),
            LatenessP50Ms = Real(11), LatenessP99Ms = Real(12), MemoryPeakMb = Real(13), CpuPeakPercent = Real(14),
        };
    }
}
