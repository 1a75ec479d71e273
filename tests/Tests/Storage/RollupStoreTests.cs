using Npgsql;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

/// <summary>The roll-up contract on PostgreSQL, each test on a database of its own; and the lock that lets one pass run at a time.</summary>
[Trait("Category", "Postgres")]
public sealed class PostgresRollupStoreTests : RollupStoreContractTests, IAsyncLifetime
{
    private readonly MigratedDatabase _database = new();

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _jobs = new PostgresJobStore(_database.DataSource);
        _admin = new PostgresAdminStore(_database.DataSource);
        _rollups = new PostgresRollupStore(_database.DataSource);
    }

    public Task DisposeAsync() => _database.DisposeAsync();

    private IJobStore _jobs = null!;
    private IAdminStore _admin = null!;
    private Grains.Analytics.IRollupStore _rollups = null!;

    protected override IJobStore Jobs => _jobs;
    protected override IAdminStore Admin => _admin;
    protected override Grains.Analytics.IRollupStore Rollups => _rollups;

    [Fact]
    public async Task APass_FindsTheLockTaken_WhileAnotherRuns_AndDoesNothing()
    {
        await using var other = await _database.DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand(PostgresRollupStore.TryLockPass, other, transaction))
        {
            Assert.Equal(true, await take.ExecuteScalarAsync());
        }

        Assert.Null(await Rollups.RunPassAsync(Policy, CancellationToken.None));
        Assert.Null(await Rollups.ReadLastPassAsync(CancellationToken.None));

        await transaction.RollbackAsync();
        Assert.NotNull(await Rollups.RunPassAsync(Policy, CancellationToken.None));
    }
}

[Trait("Category", "Unit")]
public sealed class InMemoryRollupStoreTests : RollupStoreContractTests
{
    private readonly InMemoryJobStore _store = new(TimeProvider.System);

    protected override IJobStore Jobs => _store;
    protected override IAdminStore Admin => _store;
    protected override Grains.Analytics.IRollupStore Rollups => _store;
}
