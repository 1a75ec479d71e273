using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Storage;

namespace Totallator.Bench;

/// <summary>
/// A database of its own for one configuration (<c>bench_&lt;guid&gt;</c>), with the schema applied by the silo's own migrator.
/// Dropped on dispose, connections and all.
/// </summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private const string Prefix = "bench_";
    private readonly string _server;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }
    public string ConnectionString { get; }
    /// <summary>The driver's own connections, for polling and measuring.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>Checks the server answers; returns its version. Throws with what to do when it does not.</summary>
    public static async Task<string> CheckServerAsync(string server, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenMaintenanceAsync(server, cancellationToken);
            await using var command = new NpgsqlCommand("SHOW server_version", connection);
            return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException or InvalidOperationException)
        {
            throw new BenchException(
                $"Cannot reach PostgreSQL with \"{Redact(server)}\": {ex.Message}\n" +
                $"Start it (as root: bash scripts/ensure-postgres.sh) or point {DriverOptions.ServerVariable} at a server where this role may CREATE DATABASE.", ex);
        }
    }

    /// <summary>Databases left by earlier runs that could not clean up (e.g. killed with SIGKILL).</summary>
    public static async Task<IReadOnlyList<string>> FindLeftoversAsync(string server, CancellationToken cancellationToken)
    {
        await using var connection = await OpenMaintenanceAsync(server, cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT datname FROM pg_database WHERE datname LIKE '{Prefix}%' ORDER BY datname", connection);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    public static Task<BenchDatabase> CreateAsync(string server, CancellationToken cancellationToken) =>
        CreateAsync(server, (connectionString, token) => new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(connectionString, token), cancellationToken);

    /// <summary>A database without the schema, for a caller that applies part of it (`history` measures 0014, then 0015).</summary>
    public static Task<BenchDatabase> CreateEmptyAsync(string server, CancellationToken cancellationToken) =>
        CreateAsync(server, (_, _) => Task.CompletedTask, cancellationToken);

    /// <summary>A fresh database with the schema <paramref name="applySchema"/> puts in it (--compare: Quartz's or Hangfire's).</summary>
    public static async Task<BenchDatabase> CreateAsync(string server, Func<string, CancellationToken, Task> applySchema, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(applySchema);
        var name = Prefix + Guid.NewGuid().ToString("N");
        await using (var connection = await OpenMaintenanceAsync(server, cancellationToken))
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        var database = new BenchDatabase(server, name);
        try
        {
            await applySchema(database.ConnectionString, cancellationToken);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Set (to anything) to keep each configuration's database for a closer look afterwards.</summary>
    public const string KeepVariable = "TOTALLATOR_BENCH_KEEP_DATABASE";

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (Environment.GetEnvironmentVariable(KeepVariable) is { Length: > 0 })
        {
            return;
        }
        await using var connection = await OpenMaintenanceAsync(_server, CancellationToken.None);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection) { CommandTimeout = 120 };
        await drop.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private static async Task<NpgsqlConnection> OpenMaintenanceAsync(string server, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static string Redact(string server)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        if (!string.IsNullOrEmpty(builder.Password))
        {
            builder.Password = "***";
        }
        return builder.ConnectionString;
    }
}

/// <summary>A failure the driver explains in one message and stops on (no stack trace needed).</summary>
public sealed class BenchException : Exception
{
    public BenchException(string message) : base(message)
    {
    }

    public BenchException(string message, Exception inner) : base(message, inner)
    {
    }

    public BenchException()
    {
    }
}
