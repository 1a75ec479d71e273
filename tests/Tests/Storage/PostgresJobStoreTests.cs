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
        var store = new PostgresJobStore(_dataSource);
        Store = store;
        Dependencies = store;
    }

    protected override IJobStore Store { get; }

    protected override Grains.Dependencies.IDependencyStore Dependencies { get; }

    protected override Task<string> LiveSiloAsync() => MembershipRows.AddSiloAsync(_dataSource, MembershipRows.Active);

    protected override Task DeclareDeadAsync(string silo) => MembershipRows.DeclareDeadAsync(_dataSource, silo);

    public void Dispose() => _dataSource.Dispose();
}

/// <summary>The same contract through the batching decorator a cluster silo uses (claims and completions share statements).</summary>
[Trait("Category", "Postgres")]
public sealed class BatchingJobStoreTests : JobStoreContractTests, IClassFixture<MigratedDatabase>, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly BatchingJobStore _store;

    public BatchingJobStoreTests(MigratedDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var inner = new PostgresJobStore(_dataSource);
        _store = new BatchingJobStore(inner, loadSlots: 4);
        Dependencies = inner;
    }

    protected override IJobStore Store => _store;

    // A silo reads and claims releases on the store itself; completions (which write them) go through the batcher.
    protected override Grains.Dependencies.IDependencyStore Dependencies { get; }

    protected override Task<string> LiveSiloAsync() => MembershipRows.AddSiloAsync(_dataSource, MembershipRows.Active);

    protected override Task DeclareDeadAsync(string silo) => MembershipRows.DeclareDeadAsync(_dataSource, silo);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _dataSource.DisposeAsync();
    }
}

[Trait("Category", "Unit")]
public sealed class InMemoryJobStoreTests : JobStoreContractTests
{
    private static readonly InMemoryJobStore Memory = new(TimeProvider.System);

    protected override IJobStore Store => Memory;

    protected override Grains.Dependencies.IDependencyStore Dependencies => Memory;
}
