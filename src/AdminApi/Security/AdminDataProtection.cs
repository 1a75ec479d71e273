using Microsoft.AspNetCore.DataProtection;
using Totallator.AdminApi.Hosting;

namespace Totallator.AdminApi.Security;

/// <summary>The key ring behind session cookies and antiforgery tokens.</summary>
public static class AdminDataProtection
{
    /// <summary>
    /// Fixed, so that every replica (and every release) derives the same protectors from the same keys: by default the name is
    /// the content root path, so an AdminApi installed in another directory could not read the others' cookies.
    /// </summary>
    public const string ApplicationName = "Totallator.AdminApi";

    public static IServiceCollection AddAdminDataProtection(this IServiceCollection services, AdminApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName);
        if (options.DataProtection.KeysDirectory is { Length: > 0 } directory)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(directory));
        }
        return services;
    }
}
