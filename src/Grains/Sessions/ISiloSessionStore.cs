namespace Totallator.Grains.Sessions;

/// <summary>
/// Each silo's database session: a connection that holds an advisory lock named after the silo for the silo's whole life.
/// PostgreSQL frees the lock the moment that connection ends, so a survivor that can take the lock of a silo the membership
/// declared dead knows the dead silo's process is gone (or at least cut off from the database, and then it no longer starts
/// runs, see <see cref="SiloSession"/>). Only then are that silo's claims void before their leases expire.
/// </summary>
public interface ISiloSessionStore
{
    /// <summary>Opens this silo's session; null when its lock is held elsewhere (a survivor resolving it, for a moment).</summary>
    Task<ISiloSessionHandle?> OpenAsync(string silo, CancellationToken cancellationToken);

    /// <summary>
    /// If <paramref name="silo"/>'s session has ended (its lock is free), waits <paramref name="grace"/> while holding that lock,
    /// then hands over the occurrences the silo had claimed and not started (the next activation of each job takes them over
    /// and its misfire policy decides); returns the slugs of their jobs. Null while the session is still held (a hung silo, or
    /// one cut off from the other silos only): its leases decide, as before.
    /// </summary>
    Task<IReadOnlyList<string>?> TryResolveEndedAsync(string silo, TimeSpan grace, CancellationToken cancellationToken);
}

/// <summary>An open session: pinged to confirm it, disposed to end it.</summary>
public interface ISiloSessionHandle : IAsyncDisposable
{
    /// <summary>Confirms the session still holds its lock; throws when the connection is gone.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}
