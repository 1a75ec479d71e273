using Microsoft.AspNetCore.Antiforgery;
using Totallator.AdminApi.Infrastructure;

namespace Totallator.AdminApi.Security;

/// <summary>
/// Every state-changing request that rides on a session cookie must carry the antiforgery token (header <c>X-CSRF-TOKEN</c>)
/// handed out at sign-in and by <c>GET /api/cron/session</c>. Requests with an API key need none: a browser never adds that
/// header to a request another site starts.
/// </summary>
public sealed class SessionAntiforgeryFilter : IEndpointFilter
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var method = http.Request.Method;
        var safe = HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
        if (!safe && http.User.Identity is { IsAuthenticated: true, AuthenticationType: AdminAuthentication.SessionScheme })
        {
            try
            {
                await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                return Problems.Result(http, StatusCodes.Status403Forbidden, "Antiforgery token missing or invalid.",
                    $"Requests from a signed-in browser session must send the {HeaderName} header with the token from GET /api/cron/session.");
            }
        }
        return await next(context);
    }
}
