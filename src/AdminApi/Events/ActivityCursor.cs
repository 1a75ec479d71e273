using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Events;

/// <summary>
/// Where one event stream stands in the ledger of ended executions, so that it sends every end once, including ends that
/// become visible late. An execution's <c>completedAt</c> is the silo's clock when its attempt ended, and the completion is
/// written in a batch a moment later; a read whose database clock (<see cref="Activity.Now"/>) is already past that
/// <c>completedAt</c> can run before the row commits. Asking the next read only for ends after that clock would skip the row
/// for good (the page then showed a run as running until it reloaded). So each read looks <see cref="LookBack"/> further back
/// and the cursor drops what it already sent.
/// </summary>
/// <remarks>
/// An end that becomes visible more than <see cref="LookBack"/> after its <c>completedAt</c> (a completion retried through a
/// database outage, a silo clock behind by more than that) is not sent as ended; the pages still notice that its execution
/// left the running list and read it on their own.
/// </remarks>
public sealed class ActivityCursor
{
    /// <summary>Covers the completion batcher's delay and a silo clock that differs from the database's by seconds.</summary>
    public static readonly TimeSpan LookBack = TimeSpan.FromSeconds(30);

    private readonly Dictionary<Guid, DateTimeOffset> _sent = [];
    private DateTimeOffset? _lastRead;

    /// <summary>What to ask the store for: ends after this instant; null for the first read (the latest ends, whatever their age).</summary>
    public DateTimeOffset? EndedSince => _lastRead - LookBack;

    /// <summary>
    /// <paramref name="read"/> (answered for <see cref="EndedSince"/>) with only the ends this stream has not sent yet; moves the
    /// cursor to the read's clock.
    /// </summary>
    public Activity Advance(Activity read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var fresh = read.Ended.Where(x => !_sent.ContainsKey(x.Id)).ToList();
        foreach (var x in fresh)
        {
            _sent[x.Id] = x.CompletedAt ?? read.Now;
        }
        _lastRead = read.Now;
        // Ends at or before the next read's lower bound cannot come back: forget them, so the set holds a window, not history.
        var horizon = read.Now - LookBack;
        foreach (var (id, completedAt) in _sent)
        {
            if (completedAt <= horizon)
            {
                _sent.Remove(id);
            }
        }
        return fresh.Count == read.Ended.Count ? read : read with { Ended = fresh };
    }
}
