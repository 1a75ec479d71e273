using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Totallator.AdminApi.Hosting;
using Totallator.AdminApi.Infrastructure;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Security;

/// <summary>
/// Two ways in: machines send <c>X-Api-Key</c>; browsers sign in once with a key and then carry a session cookie. A policy
/// scheme picks the key when the header is present, else the cookie. Challenges answer 401/403 problems, never redirects.
/// </summary>
public static class AdminAuthentication
{
    public const string Scheme = "Totallator";
    public const string ApiKeyScheme = "ApiKey";
    public const string SessionScheme = "Session";
    public const string CookieName = "totallator.session";

    /// <summary>Policies by role; each role includes the ones below it.</summary>
    public const string ViewerPolicy = "viewer";
    public const string OperatorPolicy = "operator";
    public const string AdminPolicy = "admin";

    public static IServiceCollection AddAdminAuthentication(this IServiceCollection services, AdminApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<BootstrapKey>();
        services.AddSingleton<ApiKeyValidator>();
        services.AddSingleton<SignedOutSessions>();
        services.AddSingleton<CallerCheck>();
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "API key or session", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeys.HeaderName) ? ApiKeyScheme : SessionScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyScheme, null)
            .AddCookie(SessionScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                // Strict: the cookie never rides on a request started by another site; antiforgery tokens are the second wall.
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.SessionLifetime;
                o.SlidingExpiration = false;
                o.Events.OnRedirectToLogin = c => Problems.WriteAsync(c.HttpContext, StatusCodes.Status401Unauthorized,
                    "Authentication required.", $"Sign in (POST /api/cron/session) or send an API key in the {ApiKeys.HeaderName} header.",
                    c.HttpContext.Items.TryGetValue(Problems.SignedOutReasonKey, out var reason)
                        ? new Dictionary<string, object?> { [Problems.SignedOutReasonKey] = reason } : null);
                o.Events.OnRedirectToAccessDenied = c => Forbidden(c.HttpContext);
                o.Events.OnValidatePrincipal = RecheckKeyAsync;
            });
        services.AddAuthorizationBuilder()
            // Fail closed: anything not marked otherwise needs a signed-in caller.
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build())
            .AddPolicy(ViewerPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireRole("viewer", "operator", "admin"))
            .AddPolicy(OperatorPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireRole("operator", "admin"))
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireRole("admin"));
        return services;
    }

    internal static Task Forbidden(HttpContext context) => Problems.WriteAsync(context, StatusCodes.Status403Forbidden,
        "Forbidden.", "Your role does not allow this operation.");

    // A session outlives nothing it was built on: when its key is revoked (seen after the key cache expires) or its role
    // changes, or it was signed out (a copy of the cookie kept somewhere), the next request is refused.
    private static async Task RecheckKeyAsync(CookieValidatePrincipalContext context)
    {
        var check = context.HttpContext.RequestServices.GetRequiredService<CallerCheck>();
        var refusal = context.Principal is null ? "Your session has ended." : await check.RefusalAsync(context.Principal, sessionExpires: null);
        if (refusal is not null)
        {
            // The 401 says why, whichever request of the page meets it first (the event stream says the same in its own words).
            context.HttpContext.Items[Problems.SignedOutReasonKey] = refusal;
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(SessionScheme);
        }
    }

    /// <summary>The actor recorded in audit rows for this request.</summary>
    public static AdminActor Actor(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new AdminActor { Name = Caller.From(context.User).Name, RequestId = context.TraceIdentifier };
    }
}
