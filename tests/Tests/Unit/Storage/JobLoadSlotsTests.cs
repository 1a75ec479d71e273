using System.Reflection;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Unit.Storage;

/// <summary>
/// The silo's store lets a fixed number of jobs load at once; the rest wait in memory, not in the connection pool (where
/// 100,000 reminders due together timed out every load).
/// </summary>
[Trait("Category", "Unit")]
public sealed class JobLoadSlotsTests
{
    [Fact]
    public async Task Loads_BeyondTheSlots_WaitInMemory_AndAllComplete()
    {
        var held = new HeldLoads();
        await using var store = new BatchingJobStore(HeldLoads.Over(new InMemoryJobStore(TimeProvider.System), held), loadSlots: 3);

        var loads = Enumerable.Range(0, 20)
            .Select(i => store.LoadJobAsync($"job-{i}", "silo-a", TimeSpan.FromSeconds(30), CancellationToken.None)).ToList();
        await held.WaitForInFlightAsync(3);
        await Task.Delay(200);
        Assert.Equal(3, held.InFlight);

        held.Release();
        await Task.WhenAll(loads).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(3, held.MaxInFlight);
        Assert.Equal(20, held.Started);
    }

    [Fact]
    public async Task AWaitingLoad_CanBeCancelled_WithoutLosingItsSlot()
    {
        var held = new HeldLoads();
        await using var store = new BatchingJobStore(HeldLoads.Over(new InMemoryJobStore(TimeProvider.System), held), loadSlots: 1);
        var first = store.LoadJobAsync("first", "silo-a", TimeSpan.FromSeconds(30), CancellationToken.None);
        await held.WaitForInFlightAsync(1);

        using var cancel = new CancellationTokenSource();
        var waiting = store.LoadJobAsync("waiting", "silo-a", TimeSpan.FromSeconds(30), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        held.Release();
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        // The slot came back: a later load runs.
        var later = await store.LoadJobAsync("later", "silo-a", TimeSpan.FromSeconds(30), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(later.Job);
        Assert.Equal(2, held.Started);
    }

    /// <summary>The in-memory store with every load held until <see cref="Release"/>, counting how many are in flight.</summary>
    internal sealed class HeldLoads
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _maxInFlight;
        private int _started;

        public int InFlight => Volatile.Read(ref _inFlight);
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);
        public int Started => Volatile.Read(ref _started);

        public void Release() => _release.TrySetResult();

        public async Task WaitForInFlightAsync(int count)
        {
            for (var i = 0; i < 500 && InFlight < count; i++)
            {
                await Task.Delay(10);
            }
            Assert.Equal(count, InFlight);
        }

        public async Task<T> HoldAsync<T>(Func<Task<T>> load)
        {
            Interlocked.Increment(ref _started);
            var now = Interlocked.Increment(ref _inFlight);
            int max;
            while ((max = Volatile.Read(ref _maxInFlight)) < now && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }
            try
            {
                await _release.Task;
                return await load();
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public static IJobStore Over(IJobStore inner, HeldLoads held)
        {
            var proxy = DispatchProxy.Create<IJobStore, Forwarder>();
            ((Forwarder)(object)proxy).Set(inner, held);
            return proxy;
        }
    }

    /// <summary>Forwards every call to the real store; loads go through <see cref="HeldLoads.HoldAsync{T}"/>.</summary>
    public class Forwarder : DispatchProxy
    {
        private IJobStore? _inner;
        private HeldLoads? _held;

        internal void Set(IJobStore inner, HeldLoads held) => (_inner, _held) = (inner, held);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(IJobStore.LoadJobAsync))
            {
                return _held!.HoldAsync(() => (Task<JobLoad>)targetMethod.Invoke(_inner, args)!);
            }
            return targetMethod.Invoke(_inner, args);
        }
    }
}
