using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;

namespace Totallator.Tests.Telemetry;

/// <summary>The shared telemetry wiring's configuration, on a bare web host (no cluster).</summary>
[Trait("Category", "Unit")]
public sealed class AdminApiTelemetryTests
{
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddTotallatorAdminApiTelemetry();
        var app = builder.Build();
        app.MapTotallatorAdminApiTelemetry();
        return app;
    }

    [Fact]
    public async Task ConsoleScopes_AreOnByDefault_ForEitherFormatter_AndConfigurationCanTurnThemOff()
    {
        await using var byDefault = Build([]);
        Assert.True(byDefault.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue.IncludeScopes);
        Assert.True(byDefault.Services.GetRequiredService<IOptionsMonitor<JsonConsoleFormatterOptions>>().CurrentValue.IncludeScopes);

        await using var off = Build(new() { ["Logging:Console:FormatterOptions:IncludeScopes"] = "false" });
        Assert.False(off.Services.GetRequiredService<IOptionsMonitor<SimpleConsoleFormatterOptions>>().CurrentValue.IncludeScopes);
    }

    [Fact]
    public async Task AnOtlpEndpointThatIsNotAnHttpUri_FailsStartUp_NamingTheKey()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = Build(new() { ["Telemetry:Otlp:Endpoint"] = "collector:4317" });
            await app.StartAsync();
        });
        Assert.Contains("Telemetry:Otlp:Endpoint", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.OK)]
    [InlineData("false", HttpStatusCode.NotFound)]
    public async Task TheScrapeEndpoint_FollowsPrometheusEnabled(string? enabled, HttpStatusCode expected)
    {
        await using var app = Build(enabled is null ? [] : new() { ["Telemetry:Prometheus:Enabled"] = enabled });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(expected, response.StatusCode);
        await app.StopAsync();
    }
}
