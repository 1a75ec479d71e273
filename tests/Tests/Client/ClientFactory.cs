using Totallator.Client;
using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Client;

/// <summary>Clients of the fixture's AdminApi, one per role, each over its own <see cref="HttpClient"/>.</summary>
internal static class ClientFactory
{
    public static (TotallatorClient Client, HttpClient Http) For(AdminApiFixture api, string role)
    {
        var http = new HttpClient();
        var key = role switch { "viewer" => api.ViewerKey, "operator" => api.OperatorKey, "admin" => api.AdminKey, _ => role };
        return (new TotallatorClient(http, new TotallatorClientOptions { BaseAddress = api.BaseAddress, ApiKey = key, Timeout = TimeSpan.FromSeconds(30) }), http);
    }
}
