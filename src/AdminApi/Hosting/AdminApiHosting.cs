using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;
using Totallator.AdminApi.Endpoints;
using Totallator.AdminApi.Events;
using Totallator.AdminApi.Health;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;

namespace Totallator.AdminApi.Hosting;

/// <summary>
/// The admin API as a feature any host can add: the AdminApi process (an Orleans client) and the silo in its development mode
/// (co-hosted, so <c>dotnet run --project src/Silo</c> serves it too). Needs an <see cref="IClusterClient"/> in the container.
/// </summary>
public static class AdminApiHosting
{
    public const string ApiPrefix = "/api/cron";
    public const string RequestIdHeader = "X-Request-Id";

    public static IServiceCollection AddTotallatorAdminApi(this IServiceCollection services, IConfiguration configuration, Action<AdminApiOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var builder = services.AddOptions<AdminApiOptions>().Bind(configuration.GetSection(AdminApiOptions.SectionName))
            .Configure(o => AddSingleValueList(configuration, o));
        if (configure is not null)
        {
            builder.PostConfigure(configure);
        }
        builder.ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminApiOptions>, AdminApiOptionsValidator>();
        var options = configuration.GetSection(AdminApiOptions.SectionName).Get<AdminApiOptions>() ?? new AdminApiOptions();
        AddSingleValueList(configuration, options);
        configure?.Invoke(options);

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        // Body binding failures throw, so that ProblemDetailsExceptionHandler explains them, in every environment.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddAdminDataProtection(options);
        services.AddAdminAuthentication(options);
        services.AddAntiforgery(o =>
        {
            o.HeaderName = SessionAntiforgeryFilter.HeaderName;
            o.Cookie.Name = "totallator.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Like the session cookie: Secure when the request was HTTPS (at the edge, when a trusted proxy says so).
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddTriggerRateLimit(options);
        services.AddSingleton<EventStreamSlots>();
        services.AddSingleton<ActivityFeed>();
        services.AddTotallatorHealthChecks();
        services.AddOpenApi();
        services.AddHostedService<BootstrapKeyAnnouncer>();
        return services;
    }

    // The binder fills a list from indexed keys only (Admin:TrustedProxies:0); a single value, as an environment variable gives
    // it (Admin__TrustedProxies=10.0.0.5,10.0.1.0/24), would be dropped silently and leave the cookies without Secure.
    private static void AddSingleValueList(IConfiguration configuration, AdminApiOptions options)
    {
        if (configuration[$"{AdminApiOptions.SectionName}:{nameof(AdminApiOptions.TrustedProxies)}"] is { Length: > 0 } list)
        {
            options.TrustedProxies.Add(list);
        }
    }

    /// <summary>JSON as the API speaks it: camelCase, enums as snake_case text, unknown fields refused.</summary>
    public static void ConfigureJson(JsonSerializerOptions json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
    }

    /// <summary>The middleware and every endpoint: <c>/api/cron/*</c>, health, the OpenAPI document and the API reference page.</summary>
    public static WebApplication MapTotallatorAdminApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // First: everything after (cookies, rate limits, logs) sees the scheme and client address at the edge.
        app.UseTrustedProxies();
        // Every answer names its request, so a client can quote it and an admin can find it in the logs and the audit trail.
        app.Use((context, next) =>
        {
            context.Response.Headers[RequestIdHeader] = context.TraceIdentifier;
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapAdminPages();
        app.UseMiddleware<RequestBodyLimit>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        var api = app.MapGroup(ApiPrefix).AddEndpointFilter<SessionAntiforgeryFilter>();
        api.MapSessionEndpoints();
        api.MapJobEndpoints();
        api.MapJobCreationEndpoints();
        api.MapOneOffEndpoints();
        api.MapJobTypeEndpoints();
        api.MapExecutionEndpoints();
        api.MapSettingsEndpoints();
        api.MapScheduleEndpoints();
        api.MapAuditEndpoints();
        api.MapApiKeyEndpoints();
        api.MapAlertEndpoints();
        api.MapActivityEndpoints();
        api.MapTrendEndpoints();

        app.MapTotallatorHealthEndpoints();
        // The API's description is not a secret (the README documents it too); the operations it describes all need a key.
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapScalarApiReference("/api/reference", o => o.WithTitle("Totallator Cron admin API").WithOpenApiRoutePattern("/openapi/{documentName}.json"))
            .AllowAnonymous();
        return app;
    }
}
