using Npgsql;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

[Trait("Category", "Postgres")]
public sealed class PostgresJobStoreTests : JobStoreContractTests, IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresJobStoreTests(MigratedDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        Store = new PostgresJobStore(_dataSource);
    }

    protected override IJobStore Store { get; }

    public void Dispose() => _dataSource.Dispose();
}

[Trait("Category", "Unit")]
public sealed class InMemoryJobStoreTests : JobStoreContractTests
{
    protected override IJobStore Store { get; } = new InMemoryJobStore(TimeProvider.System);
}
