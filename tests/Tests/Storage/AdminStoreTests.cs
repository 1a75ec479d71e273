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

    /// <summary>0016's back-fill, run again for a job whose row is gone, gives what the history gives (it runs once, at migration).</summary>
    [Fact]
    public async Task TheMigrationBackFillsAJobsStatisticsFromItsHistory()
    {
        var (job, _) = await SeedHistoryAsync();
        await using (var delete = _dataSource.CreateCommand("DELETE FROM cronJobStats WHERE cronJobId = $1"))
        {
            delete.Parameters.AddWithValue(job.Id);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync());
        }
        await using var script = typeof(SchemaMigrator).Assembly.GetManifestResourceStream("Totallator.Migrations.0016_job_stats.sql")!;
        await using (var backFill = _dataSource.CreateCommand(await new StreamReader(script).ReadToEndAsync()))
        {
            await backFill.ExecuteNonQueryAsync();
        }

        // The back-fill reads the day's counts against the real clock: compare at a now when both windows hold nothing.
        var listed = (await ListedAsync(job, T0)).Stats!.ToStatistics(T0);
        var history = await OracleAsync(job, T0);
        Assert.Equal((history.SampleSize, history.SuccessRate, history.RetryAttempts), (listed.SampleSize, listed.SuccessRate, listed.RetryAttempts));
        Assert.Equal(history.Recent, listed.Recent);
        Assert.Equal(T0.AddMinutes(-80), (await ListedAsync(job, T0)).Stats!.LastRun!.ScheduledFor);
    }

    public void Dispose() => _dataSource.Dispose();
}

[Trait("Category", "Unit")]
public sealed class InMemoryAdminStoreTests : AdminStoreContractTests
{
    private readonly InMemoryJobStore _store = new(TimeProvider.System);

    protected override IJobStore Jobs => _store;
    protected override IAdminStore Admin => _store;
}
