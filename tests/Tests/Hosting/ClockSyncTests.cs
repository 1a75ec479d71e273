using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Clock;
using Totallator.Grains.Hosting;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Hosting;

/// <summary>
/// The scheduler's clock corrected to a real PostgreSQL server's: a host whose clock is seconds off reads the right time once the
/// silo has started, and a database that does not answer leaves the host's clock in use without holding the start.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class ClockSyncTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private readonly NpgsqlDataSource _dataSource = database.DataSource;

    private static Microsoft.Extensions.Options.IOptions<SchedulerOptions> Options() => Microsoft.Extensions.Options.Options.Create(new SchedulerOptions
    {
        SettingsFirstReadTimeout = TimeSpan.FromSeconds(2), StoreRetryDelay = TimeSpan.FromMilliseconds(200),
    });

    [Theory]
    [InlineData(-7)]
    [InlineData(5)]
    public async Task AfterStart_AHostClockSecondsOff_ReadsTheDatabasesTime(double hostSkewSeconds)
    {
        var clock = new SchedulerClock(new ShiftedClock(TimeSpan.FromSeconds(hostSkewSeconds)));
        using var sync = new ClockSync(new PostgresJobStore(_dataSource), clock, Options(), NullLogger<ClockSync>.Instance);

        await sync.StartAsync(CancellationToken.None);
        try
        {
            // Server and test share this machine's clock, so the real time is the right answer; 50 ms covers a loaded machine.
            var error = (clock.GetUtcNow() - DateTimeOffset.UtcNow).Duration();
            Assert.True(error < TimeSpan.FromMilliseconds(50), $"corrected clock off by {error.TotalMilliseconds:0.0} ms (offset {clock.Offset.TotalMilliseconds:0.0} ms)");
            Assert.InRange(clock.Offset.TotalSeconds, -hostSkewSeconds - 0.05, -hostSkewSeconds + 0.05);
            Assert.NotNull(clock.Uncertainty);
        }
        finally
        {
            await sync.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Start_WhenTheDatabaseDoesNotAnswer_KeepsTheHostClock_AndReturnsWithinTheBound()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = 1, Timeout = 1 }.ConnectionString;
        await using var nowhere = NpgsqlDataSource.Create(unreachable);
        var host = new ShiftedClock(TimeSpan.FromSeconds(3));
        var clock = new SchedulerClock(host);
        using var sync = new ClockSync(new PostgresJobStore(nowhere), clock, Options(), NullLogger<ClockSync>.Instance);

        var started = DateTimeOffset.UtcNow;
        await sync.StartAsync(CancellationToken.None);
        await sync.StopAsync(CancellationToken.None);

        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(4), "start-up must stay bounded");
        Assert.Null(clock.Uncertainty);
        Assert.Equal(TimeSpan.Zero, clock.Offset);
    }

    /// <summary>A host whose wall clock is off the real time by a fixed amount.</summary>
    private sealed class ShiftedClock(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
    }
}
