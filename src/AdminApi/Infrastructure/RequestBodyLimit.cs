using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Hosting;

namespace Totallator.AdminApi.Infrastructure;

/// <summary>
/// Caps request bodies under <c>/api</c> at <see cref="AdminApiOptions.MaxRequestBodyBytes"/>: a declared length over the cap is
/// refused before the body is read, a streamed body is cut off by the server when it passes the cap. Both answer 413.
/// </summary>
public sealed class RequestBodyLimit(RequestDelegate next, IOptions<AdminApiOptions> options)
{
    private readonly long _max = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            if (context.Request.ContentLength > _max)
            {
                await Problems.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "Request body too large.",
                    $"The body has {context.Request.ContentLength} bytes; this API accepts at most {_max}.");
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = _max;
            }
        }
        await next(context);
    }
}
