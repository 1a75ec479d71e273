using System.Security.Claims;

namespace Totallator.AdminApi.Security;

/// <summary>
/// Whether an authenticated caller may still go on: its key is still valid with the same role and, for a browser session,
/// the session was not signed out and has not expired. Asked on every request of a session and, while a long request such as
/// the event stream runs, again and again (keys through <see cref="ApiKeyValidator"/>'s cache: a revoked key is seen within
/// <c>Admin:KeyCacheDuration</c>).
/// </summary>
public sealed class CallerCheck(ApiKeyValidator validator, SignedOutSessions signedOut)
{
    /// <summary>Null when the caller may go on; else why not, one sentence fit for the caller (never the key).</summary>
    public async Task<string?> RefusalAsync(ClaimsPrincipal principal, DateTimeOffset? sessionExpires)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (sessionExpires is { } end && end <= DateTimeOffset.UtcNow)
        {
            return "Your session has expired.";
        }
        if (principal.FindFirstValue(Caller.SessionIdClaim) is { } session && signedOut.Contains(session))
        {
            return "This session was signed out.";
        }
        if (principal.FindFirstValue(Caller.KeyHashClaim) is not { } hash || await validator.ValidateAsync(hash) is not { } caller)
        {
            return "The API key has been revoked or is no longer valid.";
        }
        return caller.Role == Caller.From(principal).Role ? null : "The key's role has changed.";
    }
}
