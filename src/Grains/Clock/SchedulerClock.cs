namespace Totallator.Grains.Clock;

/// <summary>
/// The clock the scheduler decides on: this host's clock corrected by its measured offset to the database's clock, so every
/// silo fires an occurrence at the same real instant however far its host's clock has drifted, and the start times it records
/// agree with the lease and sweep times the database stamps. Elapsed time, timers and delays come from the host unchanged:
/// only the wall time is corrected. <see cref="ClockSync"/> measures the offset; until it has, the offset is zero.
/// </summary>
public sealed class SchedulerClock(TimeProvider host) : TimeProvider
{
    private long _offsetTicks;
    private long _uncertaintyTicks = -1;

    /// <summary>Database clock minus host clock, as last measured: positive when this host's clock is behind.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>How far the last measurement may be off (half its round trip); null until one succeeded.</summary>
    public TimeSpan? Uncertainty => Interlocked.Read(ref _uncertaintyTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    /// <summary>The host's clock, uncorrected (to measure the offset against).</summary>
    public TimeProvider Host => host;

    internal void Set(ClockEstimate estimate)
    {
        Interlocked.Exchange(ref _offsetTicks, estimate.Offset.Ticks);
        Interlocked.Exchange(ref _uncertaintyTicks, estimate.Uncertainty.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => host.GetUtcNow() + Offset;

    public override long GetTimestamp() => host.GetTimestamp();

    public override long TimestampFrequency => host.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => host.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        host.CreateTimer(callback, state, dueTime, period);
}
