using System.Globalization;
using System.Threading.RateLimiting;
using Totallator.AdminApi.Hosting;
using Totallator.AdminApi.Infrastructure;

namespace Totallator.AdminApi.Security;

/// <summary>
/// Manual triggers are limited twice, per job (all callers together) and per caller (all jobs together), in fixed one-minute
/// windows; a refused trigger answers 429 with <c>Retry-After</c>. Limits hold per AdminApi process.
/// </summary>
public static class TriggerRateLimit
{
    /// <summary>Endpoint metadata that puts an endpoint under the trigger limits.</summary>
    public static object Marker { get; } = new TriggerLimited();

    public static IServiceCollection AddTriggerRateLimit(this IServiceCollection services, AdminApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var window = TimeSpan.FromMinutes(1);
        return services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Limiter(c => "job:" + c.GetRouteValue("slug"), options.TriggersPerJobPerMinute, window),
                Limiter(c => "caller:" + c.User.Identity?.Name, options.TriggersPerCallerPerMinute, window));
            o.OnRejected = async (context, _) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window;
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many triggers.",
                    $"Manual triggers are limited to {options.TriggersPerJobPerMinute} per job and {options.TriggersPerCallerPerMinute} per caller per minute; try again later.");
            };
        });
    }

    private static PartitionedRateLimiter<HttpContext> Limiter(Func<HttpContext, string> key, int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            context.GetEndpoint()?.Metadata.GetMetadata<TriggerLimited>() is null
                ? RateLimitPartition.GetNoLimiter("")
                : RateLimitPartition.GetFixedWindowLimiter(key(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits, Window = window, QueueLimit = 0, AutoReplenishment = true,
                }));

    private sealed class TriggerLimited;
}
