using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;

namespace Totallator.AdminApi.Security;

/// <summary>
/// Sessions signed out in this process, remembered for <see cref="AdminApiOptions.SessionLifetime"/> (no cookie outlives it): a
/// copy of the cookie is refused afterwards, and the session's open event streams end. Per process, like the key cache:
/// another replica learns of a sign-out only when the cookie expires.
/// </summary>
public sealed class SignedOutSessions(IOptions<AdminApiOptions> options) : IDisposable
{
    // Bounded: only signed-in callers (with their antiforgery token) can add entries, but memory must not grow without limit.
    private readonly MemoryCache _ended = new(new MemoryCacheOptions { SizeLimit = 100_000 });
    private readonly TimeSpan _lifetime = options.Value.SessionLifetime;

    public void Add(string sessionId) =>
        _ended.Set(sessionId, true, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _lifetime });

    public bool Contains(string sessionId) => _ended.TryGetValue(sessionId, out _);

    public void Dispose() => _ended.Dispose();
}
