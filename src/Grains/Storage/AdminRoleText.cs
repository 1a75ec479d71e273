using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Storage;

/// <summary>Text forms of <see cref="AdminRole"/> as stored in <c>cronApiKey.role</c>.</summary>
public static class AdminRoleText
{
    public static string ToText(AdminRole role) => role switch
    {
        AdminRole.Viewer => "viewer",
        AdminRole.Operator => "operator",
        AdminRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown admin role."),
    };

    public static AdminRole Parse(string text) => text switch
    {
        "viewer" => AdminRole.Viewer,
        "operator" => AdminRole.Operator,
        "admin" => AdminRole.Admin,
        _ => throw new FormatException($"Unknown admin role '{text}'."),
    };
}
