using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Security;

/// <summary>
/// Turns a key hash into a caller: the bootstrap key, or a key stored in PostgreSQL (through <see cref="IApiKeyGrain"/>).
/// Answers, including "unknown key", are cached for <see cref="AdminApiOptions.KeyCacheDuration"/> so that a busy client costs
/// one database read per period, not one per request; the cache is bounded so a flood of wrong keys cannot grow it.
/// </summary>
public sealed class ApiKeyValidator(IClusterClient cluster, BootstrapKey bootstrap, IOptions<AdminApiOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = 10_000 });
    private readonly TimeSpan _ttl = options.Value.KeyCacheDuration;

    public async Task<Caller?> ValidateAsync(string keyHash)
    {
        if (bootstrap.Matches(keyHash))
        {
            return BootstrapKey.Caller;
        }
        if (_cache.TryGetValue(keyHash, out Caller? cached))
        {
            return cached;
        }
        var info = await cluster.GetGrain<IApiKeyGrain>(0).AuthenticateAsync(keyHash);
        var caller = info is null ? null : new Caller(info.Name, info.Role, info.Id.ToString());
        if (_ttl > TimeSpan.Zero)
        {
            _cache.Set(keyHash, caller, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _ttl });
        }
        return caller;
    }

    public void Dispose() => _cache.Dispose();
}
