using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Infrastructure;

namespace Totallator.AdminApi.Security;

/// <summary>Authenticates <c>X-Api-Key</c>. The key itself is never logged: only its first characters.</summary>
public sealed partial class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, ApiKeyValidator validator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeys.HeaderName, out var values))
        {
            return AuthenticateResult.NoResult();
        }
        var key = values.ToString().Trim();
        if (key.Length is 0 or > 200)
        {
            return AuthenticateResult.Fail("The API key is empty or too long.");
        }
        var hash = ApiKeys.Hash(key);
        if (await validator.ValidateAsync(hash) is not { } caller)
        {
            var prefix = ApiKeys.Prefix(key);
            LogRejectedKey(Logger, prefix);
            return AuthenticateResult.Fail("The API key is not valid or has been revoked.");
        }
        return AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(Scheme.Name, hash), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = ApiKeys.HeaderName;
        // The result of this request's authentication (cached by the base class): say why the key was refused.
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        await Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required.",
            failure ?? $"Send an API key in the {ApiKeys.HeaderName} header.");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AdminAuthentication.Forbidden(Context);

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Refused an API key starting with {KeyPrefix}: unknown or revoked")]
    private static partial void LogRejectedKey(ILogger logger, string keyPrefix);
}
