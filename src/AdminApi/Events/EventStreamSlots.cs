using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;

namespace Totallator.AdminApi.Events;

/// <summary>
/// Counts open <c>/api/cron/events</c> streams per caller and in this process, against <see cref="AdminEventsOptions"/>. A stream
/// holds a slot from its start until its response ends (the lease is disposed with the request).
/// </summary>
public sealed class EventStreamSlots(IOptions<AdminApiOptions> options)
{
    private readonly AdminEventsOptions _limits = options.Value.Events;
    private readonly Dictionary<string, int> _perCaller = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _total;

    /// <summary>A slot for <paramref name="caller"/>, or null and which cap refused it.</summary>
    public IDisposable? TryOpen(string caller, out string refusal)
    {
        ArgumentNullException.ThrowIfNull(caller);
        lock (_gate)
        {
            var mine = _perCaller.GetValueOrDefault(caller);
            if (mine >= _limits.MaxStreamsPerCaller)
            {
                refusal = $"You already have {mine} live event streams open, the most allowed per caller; close one (another tab or window) or try again later.";
                return null;
            }
            if (_total >= _limits.MaxStreams)
            {
                refusal = "This server already serves as many live event streams as it allows; try again later.";
                return null;
            }
            _perCaller[caller] = mine + 1;
            _total++;
        }
        refusal = "";
        return new Lease(this, caller);
    }

    private void Close(string caller)
    {
        lock (_gate)
        {
            _total--;
            if (--_perCaller[caller] == 0)
            {
                _perCaller.Remove(caller);
            }
        }
    }

    private sealed class Lease(EventStreamSlots slots, string caller) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                slots.Close(caller);
            }
        }
    }
}
