using Npgsql;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

[Trait("Category", "Postgres")]
public sealed class PostgresAdminStoreTests : AdminStoreContractTests, IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresAdminStoreTests(MigratedDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        Jobs = new PostgresJobStore(_dataSource);
        Admin = new PostgresAdminStore(_dataSource);
    }

    protected override IJobStore Jobs { get; }
    protected override IAdminStore Admin { get; }

    public void Dispose() => _dataSource.Dispose();
}

[Trait("Category", "Unit")]
public sealed class InMemoryAdminStoreTests : AdminStoreContractTests
{
    private readonly InMemoryJobStore _store = new(TimeProvider.System);

    protected override IJobStore Jobs => _store;
    protected override IAdminStore Admin => _store;
}
