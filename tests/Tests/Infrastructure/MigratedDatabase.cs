using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Infrastructure;

/// <summary>A fresh database with Totallator's schema applied; dropped when the fixture is disposed.</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    /// <summary>A pool on the database, shared by the tests of the class; disposed before the database is dropped.</summary>
    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync("db");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(ConnectionString, CancellationToken.None);
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await PostgresServer.DropDatabaseAsync(ConnectionString);
    }
}
