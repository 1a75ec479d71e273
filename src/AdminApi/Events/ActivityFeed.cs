using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Events;

/// <summary>
/// One read of the activity per second for the whole process, fanned out to every open <c>/api/cron/events</c> stream
/// (docs/admin-read.md). Before, each stream read on its own: 100 open pages were 100 reads a second. The feed reads only while
/// someone listens, and stops when the last stream closes. Each stream gets the reads in its own bounded buffer
/// (<see cref="AdminEventsOptions.BufferedReads"/>, oldest dropped): a slow reader never holds up the feed or the others.
/// Each stream keeps its own <see cref="ActivityCursor"/>, so it still sends every end once.
/// </summary>
public sealed partial class ActivityFeed(IClusterClient cluster, IOptions<AdminApiOptions> options, ILogger<ActivityFeed> logger) : IDisposable
{
    /// <summary>How often the feed reads: the pages show a run's start or end within about this long.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>How many ends one read carries at most (newest first).</summary>
    private const int ReadLimit = 200;

    private readonly int _buffer = options.Value.Events.BufferedReads;
    private readonly Lock _gate = new();
    private readonly HashSet<Subscription> _subscribers = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private FeedRead? _latest;
    private long _reads;

    /// <summary>Reads of the store since the process started (the bench and the tests count them).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>Streams listening now.</summary>
    public int Subscribers
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>Starts listening; the latest read, if any, is waiting at once. Dispose to stop.</summary>
    public Subscription Subscribe()
    {
        var subscription = new Subscription(this, Channel.CreateBounded<FeedRead>(new BoundedChannelOptions(_buffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = true,
        }));
        lock (_gate)
        {
            _subscribers.Add(subscription);
            if (_latest is { } latest)
            {
                subscription.Writer.TryWrite(latest);
            }
            _loop ??= Task.Run(() => RunAsync(_stopping.Token));
        }
        return subscription;
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
        subscription.Writer.TryComplete();
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        DateTimeOffset? lastRead = null;
        using var timer = new PeriodicTimer(Period);
        do
        {
            Subscription[] listeners;
            lock (_gate)
            {
                if (_subscribers.Count == 0)
                {
                    // Nobody listens: stop reading. The next subscriber starts a new loop (and reads from scratch, as
                    // the latest read is stale by then).
                    _loop = null;
                    _latest = null;
                    return;
                }
            }
            var read = await ReadAsync(lastRead);
            if (read.Activity is { } activity)
            {
                lastRead = activity.Now;
            }
            lock (_gate)
            {
                _latest = read;
                listeners = [.. _subscribers];
            }
            foreach (var listener in listeners)
            {
                // Never waits: a full buffer drops its oldest read.
                listener.Writer.TryWrite(read);
            }
        }
        while (await WaitAsync(timer, stopping));
        lock (_gate)
        {
            _loop = null;
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stopping);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Every read looks <see cref="ActivityCursor.LookBack"/> before the previous one (the first asks for the latest ends,
    /// whatever their age); each stream's cursor drops the ends it has sent.
    /// </summary>
    private async Task<FeedRead> ReadAsync(DateTimeOffset? lastRead)
    {
        Interlocked.Increment(ref _reads);
        try
        {
            return new FeedRead(await cluster.GetGrain<IJobQueryGrain>(0).GetActivityAsync(lastRead - ActivityCursor.LookBack, ReadLimit), null);
        }
        catch (Exception e) when (e is StoreUnavailableException or OrleansException or TimeoutException)
        {
            var kind = e.GetType().Name;
            LogReadFailed(logger, kind);
            return new FeedRead(null, e is StoreUnavailableException ? "The database does not answer." : "The scheduler cluster does not answer.");
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "Activity feed: the cluster or database did not answer ({Kind})")]
    private static partial void LogReadFailed(ILogger logger, string kind);

    /// <summary>One stream's place in the feed: its buffer of reads, oldest first.</summary>
    public sealed class Subscription(ActivityFeed feed, Channel<FeedRead> channel) : IDisposable
    {
        internal ChannelWriter<FeedRead> Writer => channel.Writer;

        /// <summary>The reads waiting, oldest first; empty when none arrived since the last call.</summary>
        public IReadOnlyList<FeedRead> Take()
        {
            var reads = new List<FeedRead>();
            while (channel.Reader.TryRead(out var read))
            {
                reads.Add(read);
            }
            return reads;
        }

        public void Dispose() => feed.Unsubscribe(this);
    }
}

/// <summary>One read of the feed: the activity, or why the cluster or database did not answer.</summary>
public sealed record FeedRead(Activity? Activity, string? Failure);
