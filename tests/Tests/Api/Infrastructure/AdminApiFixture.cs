using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Totallator.AdminApi.Hosting;
using Totallator.AdminApi.Security;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Api.Infrastructure;

/// <summary>
/// A 2-silo cluster on its own PostgreSQL database, and the real AdminApi in front of it as a separate Orleans client listening
/// on a loopback port: requests go over HTTP, through authentication, to the grains, to PostgreSQL. Keys for each role are
/// created through the API itself.
/// </summary>
public sealed class AdminApiFixture : IAsyncLifetime
{
    /// <summary>The configured bootstrap admin key (Admin:ApiKey).</summary>
    public const string BootstrapKey = "test-bootstrap-admin-key-0123456789abcdef";

    /// <summary>Manual triggers allowed per job per minute in this fixture (low, so the limit can be reached).</summary>
    public const int TriggersPerJob = 4;

    private WebApplication? _app;

    public PostgresCluster Cluster { get; private set; } = null!;
    public Uri BaseAddress { get; private set; } = null!;
    public string ViewerKey { get; private set; } = "";
    public string OperatorKey { get; private set; } = "";
    public string AdminKey { get; private set; } = "";

    public static JsonSerializerOptions Json { get; } = CreateJson();

    public async Task InitializeAsync()
    {
        Cluster = await PostgresCluster.StartAsync(2, sockets: true);
        _app = await StartApiAsync(Cluster, new Dictionary<string, string?>());
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var admin = Client(BootstrapKey);
        ViewerKey = await CreateKeyAsync(admin, "test-viewer", "viewer");
        OperatorKey = await CreateKeyAsync(admin, "test-operator", "operator");
        AdminKey = await CreateKeyAsync(admin, "test-admin", "admin");
    }

    /// <summary>Starts the AdminApi on a free loopback port against <paramref name="cluster"/>, with extra settings (and endpoints, for tests that look inside).</summary>
    public static Task<WebApplication> StartApiAsync(PostgresCluster cluster, IDictionary<string, string?> settings, Action<WebApplication>? map = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return StartApiAsync(cluster.ConnectionString, cluster.Cluster.Options.ClusterId, cluster.Cluster.Options.ServiceId, settings, map: map);
    }

    /// <summary>Starts the AdminApi on a free loopback port against the cluster of these ids; its log lines go to <paramref name="logs"/>, if any.</summary>
    public static async Task<WebApplication> StartApiAsync(string connectionString, string clusterId, string serviceId,
        IDictionary<string, string?> settings, ILoggerProvider? logs = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        }
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:ServiceId"] = serviceId,
            ["Admin:ApiKey"] = BootstrapKey,
            ["Admin:TriggersPerJobPerMinute"] = TriggersPerJob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Admin:TriggersPerCallerPerMinute"] = "1000",
            ["Admin:KeyCacheDuration"] = "00:00:00.200",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTotallatorClusterClient();
        builder.AddTotallatorAdminApiTelemetry();
        builder.Services.AddTotallatorAdminApi(builder.Configuration);
        var app = builder.Build();
        app.MapTotallatorAdminApi();
        app.MapTotallatorAdminApiTelemetry();
        map?.Invoke(app);
        await app.StartAsync();
        return app;
    }

    /// <summary>An HTTP client for the API, with an API key or none.</summary>
    public HttpClient Client(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add(ApiKeys.HeaderName, apiKey);
        }
        return client;
    }

    /// <summary>A client with the key of a role: <c>viewer</c>, <c>operator</c>, <c>admin</c>, or null for none.</summary>
    public HttpClient ClientFor(string? role) => Client(role switch
    {
        null => null,
        "viewer" => ViewerKey,
        "operator" => OperatorKey,
        "admin" => AdminKey,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    });

    /// <summary>Creates a key through the API with an admin's client and returns it.</summary>
    public static async Task<string> CreateKeyAsync(HttpClient admin, string name, string role)
    {
        var response = await admin.PostAsJsonAsync("/api/cron/keys", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"Creating the {role} key failed: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("key").GetString()!;
    }

    private static JsonSerializerOptions CreateJson()
    {
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        AdminApiHosting.ConfigureJson(json);
        json.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip;
        return json;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        await Cluster.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AdminApiCollection : ICollectionFixture<AdminApiFixture>
{
    public const string Name = "Admin API on a PostgreSQL cluster";
}
