using Npgsql;
using NpgsqlTypes;

namespace Totallator.Grains.Sessions;

/// <summary>Silo sessions as PostgreSQL session-level advisory locks (see <see cref="ISiloSessionStore"/>).</summary>
public sealed class PostgresSiloSessionStore(NpgsqlDataSource dataSource) : ISiloSessionStore
{
    // A 64-bit key from the silo's name, computed by the server so every silo derives the same one.
    private const string TryLock = "SELECT pg_try_advisory_lock(hashtextextended('totallator-silo:' || @silo, 0))";

    // The dead silo's claims that never started: handed over (no owner), as a release by an activation that went is. The
    // job's next activation takes them over when it loads the job (LoadJob); one nobody takes before its hold expires is
    // recorded missed by the sweeper. Running rows keep their lease: their end is unknown, and the sweeper records them.
    private const string HandOverClaims = """
        WITH handed AS (
            UPDATE cronJobExecution
            SET leaseOwner = NULL,
                statusReason = 'handed over: silo ' || @silo || ' was declared dead before this claim started'
            WHERE leaseOwner = @silo AND status = 'claimed'
            RETURNING cronJobId
        )
        SELECT DISTINCT j.slug FROM handed h JOIN cronJob j ON j.id = h.cronJobId
        """;

    public async Task<ISiloSessionHandle?> OpenAsync(string silo, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (await TryLockAsync(connection, silo, cancellationToken))
            {
                return new Handle(connection);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    public async Task<IReadOnlyList<string>?> TryResolveEndedAsync(string silo, TimeSpan grace, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await TryLockAsync(connection, silo, cancellationToken))
        {
            return null;
        }
        try
        {
            // The dead silo, if its process still runs cut off from the database, stops starting runs within this (SiloSession).
            await Task.Delay(grace, cancellationToken);
            await using var cmd = new NpgsqlCommand(HandOverClaims, connection);
            cmd.Parameters.Add(new NpgsqlParameter("silo", NpgsqlDbType.Text) { Value = silo });
            var slugs = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                slugs.Add(reader.GetString(0));
            }
            return slugs;
        }
        finally
        {
            await UnlockAllAsync(connection);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, string silo, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(TryLock, connection);
        cmd.Parameters.Add(new NpgsqlParameter("silo", NpgsqlDbType.Text) { Value = silo });
        return (bool)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// A pooled connection goes back to the pool, not away, when disposed, and its session keeps its advisory locks until it is
    /// reset on its next use: they are released here. Best effort: a broken connection has lost them already.
    /// </summary>
    private static async Task UnlockAllAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection) { CommandTimeout = 2 };
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // Broken: the server ended the session, and its locks with it.
        }
    }

    private sealed class Handle(NpgsqlConnection connection) : ISiloSessionHandle
    {
        public async Task PingAsync(CancellationToken cancellationToken)
        {
            await using var cmd = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = 1 };
            await cmd.ExecuteScalarAsync(cancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            await UnlockAllAsync(connection);
            await connection.DisposeAsync();
        }
    }
}
