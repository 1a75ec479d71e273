using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Hosting;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Hosting;

/// <summary>
/// The settings cache's start-up read on a real database: done before the silo may become active, and bounded when the database
/// does not answer (here: a transaction holds the settings table locked, so the read waits as it would on a stalled server).
/// </summary>
[Trait("Category", "Postgres")]
public sealed class SchedulerSettingsCacheTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private readonly NpgsqlDataSource _dataSource = database.DataSource;

    private static SchedulerOptions Options() => new()
    {
        SettingsFirstReadTimeout = TimeSpan.FromSeconds(1),
        SettingsRefreshInterval = TimeSpan.FromMilliseconds(200),
        StoreRetryDelay = TimeSpan.FromMilliseconds(200),
    };

    private SchedulerSettingsCache NewCache() => new(new PostgresAdminStore(_dataSource), TimeProvider.System,
        Microsoft.Extensions.Options.Options.Create(Options()), NullLogger<SchedulerSettingsCache>.Instance);

    private async Task SetPausedAsync(bool paused)
    {
        await using var cmd = _dataSource.CreateCommand("UPDATE cronJobConfig SET value = @v, updatedBy = 'test' WHERE key = 'schedulingPaused'");
        cmd.Parameters.AddWithValue("v", paused ? "true" : "false");
        Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task Start_ReadsThePauseBeforeItReturns()
    {
        await SetPausedAsync(true);
        using var cache = NewCache();
        Assert.True(cache.Current.SchedulingPaused, "before any read the cache must not claim scheduling runs");

        await cache.StartAsync(CancellationToken.None);

        Assert.True(cache.IsKnown);
        Assert.True(cache.Current.SchedulingPaused);
        Assert.Equal("test", cache.Current.UpdatedBy);
        await cache.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Start_WhileTheDatabaseDoesNotAnswer_ReturnsAfterTheBound_TreatingSchedulingAsPaused_UntilARefreshReads()
    {
        await SetPausedAsync(false);
        await using var locker = await _dataSource.OpenConnectionAsync();
        var holding = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE cronJobConfig IN ACCESS EXCLUSIVE MODE", locker, holding))
        {
            await lockTable.ExecuteNonQueryAsync();
        }
        using var cache = NewCache();

        var clock = Stopwatch.StartNew();
        await cache.StartAsync(CancellationToken.None);
        var waited = clock.Elapsed;

        // Start-up is held for the bound (1 s), not for as long as the database is away, and nothing is taken for granted.
        Assert.InRange(waited.TotalSeconds, 0.9, 5);
        Assert.False(cache.IsKnown);
        Assert.True(cache.Current.SchedulingPaused);

        await holding.RollbackAsync();
        await holding.DisposeAsync();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!cache.IsKnown && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.True(cache.IsKnown, "the periodic refresh should read the settings once the database answers");
        Assert.False(cache.Current.SchedulingPaused);
        await cache.StopAsync(CancellationToken.None);
    }
}
