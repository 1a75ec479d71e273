namespace Totallator.Grains.Hosting;

/// <summary>
/// A background loop owned by a silo lifecycle participant: what <c>BackgroundService</c> is to a hosted service. The scheduler's
/// own services use the silo lifecycle rather than hosted services because the host starts hosted services added in
/// <c>UseOrleans</c> only after the silo is active, and stops them before the silo begins to stop (see
/// <see cref="SchedulerLifecycleStages"/>).
/// </summary>
internal sealed class LifecycleLoop : IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _running = Task.CompletedTask;

    /// <summary>Runs <paramref name="loop"/> on the thread pool until <see cref="StopAsync"/>; it must handle its own failures.</summary>
    public void Start(Func<CancellationToken, Task> loop) => _running = Task.Run(() => loop(_stopping.Token), CancellationToken.None);

    /// <summary>Cancels the loop and waits for it to end, or for <paramref name="cancellationToken"/> (the host gave up waiting).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();
}
