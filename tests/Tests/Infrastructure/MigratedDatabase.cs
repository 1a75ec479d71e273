using Microsoft.Extensions.Logging.Abstractions;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Infrastructure;

/// <summary>A fresh database with Totallator's schema applied; dropped when the fixture is disposed.</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync("db");
        await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(ConnectionString, CancellationToken.None);
    }

    public Task DisposeAsync() => PostgresServer.DropDatabaseAsync(ConnectionString);
}
