using Microsoft.AspNetCore.Antiforgery;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;

namespace Totallator.AdminApi.Endpoints;

/// <summary>Browser sign-in: a key in, a session cookie and an antiforgery token out.</summary>
public static class SessionEndpoints
{
    public static RouteGroupBuilder MapSessionEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/session").WithTags("Session");
        group.MapPost("/", SignInAsync).AllowAnonymous()
            .WithName("SignIn").WithSummary("Signs in with an API key; sets the session cookie and returns the antiforgery token.");
        group.MapGet("/", Current).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetSession").WithSummary("Who is signed in, with a fresh antiforgery token for a browser session.");
        group.MapDelete("/", (Delegate)SignOutAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("SignOut").WithSummary("Ends the browser session.");
        return group;
    }

    private static async Task<IResult> SignInAsync(HttpContext context, SignInRequest request, ApiKeyValidator validator, IAntiforgery antiforgery)
    {
        var key = request.ApiKey?.Trim();
        if (string.IsNullOrEmpty(key) || key.Length > 200)
        {
            return Problems.Invalid(context, "apiKey", "apiKey is required (at most 200 characters).");
        }
        var hash = ApiKeys.Hash(key);
        if (await validator.ValidateAsync(hash) is not { } caller)
        {
            return Problems.Result(context, StatusCodes.Status401Unauthorized, "Sign-in refused.", "The key is not valid or has been revoked.");
        }
        var principal = caller.ToPrincipal(AdminAuthentication.SessionScheme, hash);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(Caller.SessionIdClaim, Guid.NewGuid().ToString("N")));
        await context.SignInAsync(AdminAuthentication.SessionScheme, principal);
        // The antiforgery token is bound to the user: issue it for the principal just signed in, not for the anonymous request.
        context.User = principal;
        var tokens = antiforgery.GetAndStoreTokens(context);
        return TypedResults.Ok(new SessionResponse(caller.Name, Caller.RoleText(caller.Role), AdminAuthentication.SessionScheme, tokens.RequestToken));
    }

    private static SessionResponse Current(HttpContext context, IAntiforgery antiforgery)
    {
        var caller = Caller.From(context.User);
        var scheme = context.User.Identity?.AuthenticationType ?? "";
        var token = scheme == AdminAuthentication.SessionScheme ? antiforgery.GetAndStoreTokens(context).RequestToken : null;
        return new SessionResponse(caller.Name, Caller.RoleText(caller.Role), scheme, token);
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, SignedOutSessions signedOut)
    {
        // Not only drop the cookie from this browser: refuse the session itself from now on, and end its event streams.
        if (context.User.FindFirstValue(Caller.SessionIdClaim) is { } session)
        {
            signedOut.Add(session);
        }
        await context.SignOutAsync(AdminAuthentication.SessionScheme);
        return TypedResults.NoContent();
    }
}
