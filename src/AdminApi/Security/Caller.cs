using System.Security.Claims;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Security;

/// <summary>An authenticated caller: the key's name and role. Sessions and API keys both end up as one.</summary>
public sealed record Caller(string Name, AdminRole Role, string KeyId)
{
    internal const string KeyIdClaim = "totallator:key-id";
    internal const string KeyHashClaim = "totallator:key-hash";

    /// <summary>A browser session's own id (sign-in adds it), so that signing out can end that session and no other.</summary>
    internal const string SessionIdClaim = "totallator:session-id";

    /// <summary>The role as used in claims and JSON: <c>viewer</c>, <c>operator</c>, <c>admin</c>.</summary>
    public static string RoleText(AdminRole role) => role switch
    {
        AdminRole.Viewer => "viewer",
        AdminRole.Operator => "operator",
        AdminRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    public static bool TryParseRole(string? text, out AdminRole role)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "VIEWER": role = AdminRole.Viewer; return true;
            case "OPERATOR": role = AdminRole.Operator; return true;
            case "ADMIN": role = AdminRole.Admin; return true;
            default: role = default; return false;
        }
    }

    /// <summary>A principal for this caller, authenticated by <paramref name="scheme"/>. The key's hash lets a session re-check that the key is still valid.</summary>
    public ClaimsPrincipal ToPrincipal(string scheme, string keyHash) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.Name, Name),
        new Claim(ClaimTypes.Role, RoleText(Role)),
        new Claim(KeyIdClaim, KeyId),
        new Claim(KeyHashClaim, keyHash),
    ], scheme, ClaimTypes.Name, ClaimTypes.Role));

    /// <summary>The caller of an authenticated request.</summary>
    public static Caller From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var name = user.FindFirstValue(ClaimTypes.Name) ?? throw new InvalidOperationException("The request is not authenticated.");
        // A principal always carries a role we issued; an unreadable one gets the least privilege.
        var role = TryParseRole(user.FindFirstValue(ClaimTypes.Role), out var parsed) ? parsed : AdminRole.Viewer;
        return new Caller(name, role, user.FindFirstValue(KeyIdClaim) ?? "");
    }
}
