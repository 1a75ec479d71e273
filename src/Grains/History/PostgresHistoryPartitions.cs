using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Storage;

namespace Totallator.Grains.History;

/// <summary>
/// The daily partitions of <c>cronJobExecution</c> (0015_partitioned_history.sql): created ahead by the cluster, dropped by
/// the history cleanup. Both hold one session advisory lock, so one silo at a time changes them and two cleanups (the
/// built-in job and an admin's) never race for the same partition.
/// </summary>
public static class PostgresHistoryPartitions
{
    // Shared by creation and drops; 74011 like every Totallator lock, 00015 for the migration that brought partitions.
    internal const long LockKey = 7401100015;

    // A partition holds the UTC day of its name; the cleanup may drop it once the next midnight is at or before the cutoff.
    internal const string SelectDroppable = """
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'cronjobexecution'::regclass AND c.relname ~ '^cronjobexecution_p[0-9]{8}$'
          AND (to_date(substr(c.relname, 19), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= @cutoff
        ORDER BY c.relname
        """;

    /// <summary>Creates the partitions of today (UTC) through <paramref name="daysAhead"/> days ahead that are missing; returns how many.</summary>
    public static async Task<int> EnsureAsync(NpgsqlDataSource dataSource, DateTimeOffset now, int daysAhead, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Another silo doing it now: nothing to do here, its pass creates the same days.
        if (!await TryLockAsync(connection, cancellationToken))
        {
            return 0;
        }
        try
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            await using var cmd = new NpgsqlCommand("SELECT totallator_history_partitions(@from, @to)", connection);
            cmd.Parameters.Add(NpgsqlCommands.Param("from", NpgsqlDbType.Date, today));
            cmd.Parameters.Add(NpgsqlCommands.Param("to", NpgsqlDbType.Date, today.AddDays(daysAhead + 1)));
            return (int)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        finally
        {
            await UnlockAsync(connection);
        }
    }

    /// <summary>
    /// Drops every day's partition that ends at or before <paramref name="cutoff"/> and holds only rows the cleanup deletes (see
    /// totallator_drop_history_partition); returns how many rows went. The rows of a partition that stays are left to the
    /// row-by-row delete that follows. Each drop is its own short transaction: claims wait at most
    /// <paramref name="lockTimeout"/> for one, never for the whole pass.
    /// </summary>
    public static async Task<long> DropAsync(NpgsqlDataSource dataSource, DateTimeOffset cutoff, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Session lock, waited for: a second cleanup must not count rows the first is dropping.
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            take.Parameters.Add(NpgsqlCommands.Param("key", NpgsqlDbType.Bigint, LockKey));
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            List<string> names;
            await using (var list = new NpgsqlCommand(SelectDroppable, connection))
            {
                list.Parameters.Add(NpgsqlCommands.Param("cutoff", NpgsqlDbType.TimestampTz, cutoff));
                names = await list.ReadAllAsync(r => r.GetString(0), cancellationToken);
            }
            long dropped = 0;
            foreach (var name in names)
            {
                await using var drop = new NpgsqlCommand("SELECT totallator_drop_history_partition(@part, @cutoff, @timeoutMs)", connection);
                drop.Parameters.Add(NpgsqlCommands.Param("part", NpgsqlDbType.Text, name));
                drop.Parameters.Add(NpgsqlCommands.Param("cutoff", NpgsqlDbType.TimestampTz, cutoff));
                drop.Parameters.Add(NpgsqlCommands.Param("timeoutMs", NpgsqlDbType.Integer, (int)lockTimeout.TotalMilliseconds));
                if (await drop.ExecuteScalarAsync(cancellationToken) is long rows)
                {
                    dropped += rows;
                }
            }
            return dropped;
        }
        finally
        {
            await UnlockAsync(connection);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var take = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        take.Parameters.Add(NpgsqlCommands.Param("key", NpgsqlDbType.Bigint, LockKey));
        return (bool)(await take.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task UnlockAsync(NpgsqlConnection connection)
    {
        await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
        release.Parameters.Add(NpgsqlCommands.Param("key", NpgsqlDbType.Bigint, LockKey));
        await release.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
