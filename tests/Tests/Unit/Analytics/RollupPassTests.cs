using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Totallator.Grains.Analytics;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Tests.Unit.Analytics;

/// <summary><see cref="RollupPass"/>: a pass at start, none when disabled, a failing store left to the next interval.</summary>
[Trait("Category", "Unit")]
public sealed class RollupPassTests
{
    private sealed class CountingStore(Exception? failure = null) : IRollupStore
    {
        public int Passes;
        public RollupPolicy? Policy;

        public Task<RollupPassResult?> RunPassAsync(RollupPolicy policy, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Passes);
            Policy = policy;
            return failure is null
                ? Task.FromResult<RollupPassResult?>(new RollupPassResult(DateTimeOffset.UnixEpoch, 2, 3, 0, TimeSpan.FromMilliseconds(5)))
                : Task.FromException<RollupPassResult?>(failure);
        }

        public Task<IReadOnlyList<TrendBucket>> ReadBucketsAsync(Guid jobId, TrendBucketSize size, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyDictionary<Guid, RollupCounts>> ReadCountsAsync(TrendBucketSize size, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<RollupPassRecord?> ReadLastPassAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private static RollupPass Pass(IRollupStore store, AnalyticsOptions options) =>
        new(store, Options.Create(options), TimeProvider.System, NullLogger<RollupPass>.Instance);

    [Fact]
    public async Task ItPassesOnceAtStart_WithTheConfiguredKeeps()
    {
        var store = new CountingStore();
        using var pass = Pass(store, new AnalyticsOptions { KeepDays = 90, HourlyKeepDays = 3, RollupInterval = TimeSpan.FromHours(1) });

        await pass.StartAsync(CancellationToken.None);
        for (var i = 0; i < 100 && Volatile.Read(ref store.Passes) == 0; i++)
        {
            await Task.Delay(20);
        }
        await pass.StopAsync(CancellationToken.None);

        Assert.Equal(1, store.Passes);
        Assert.Equal(new RollupPolicy(90, 3, TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30)), store.Policy);
    }

    [Fact]
    public async Task Disabled_ItNeverPasses()
    {
        var store = new CountingStore();
        using var pass = Pass(store, new AnalyticsOptions { Enabled = false });

        await pass.StartAsync(CancellationToken.None);
        await Task.Delay(50);
        await pass.StopAsync(CancellationToken.None);

        Assert.Equal(0, store.Passes);
    }

    [Fact]
    public async Task AFailingStore_IsLoggedAndLeftToTheNextInterval()
    {
        using var pass = Pass(new CountingStore(new TimeoutException("database away")), new AnalyticsOptions());

        Assert.Null(await pass.RunOnceAsync(CancellationToken.None));
    }
}
