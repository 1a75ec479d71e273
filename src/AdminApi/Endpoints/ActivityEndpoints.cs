using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Endpoints;

/// <summary>
/// What is running and what just ended, across all jobs: once (<c>/activity</c>) or as a server-sent event stream
/// (<c>/events</c>) that the admin pages use to update rows live.
/// </summary>
public static partial class ActivityEndpoints
{
    /// <summary>How often the stream reads the store: the page shows a run's start or end within about this long.</summary>
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    public static RouteGroupBuilder MapActivityEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/activity", GetAsync).WithTags("Activity").RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetActivity").WithSummary("Executions running now and the latest that ended (since, limit), across all jobs.")
            .Produces<Activity>().ProducesValidationProblem();
        api.MapGet("/events", (IClusterClient cluster, ILoggerFactory logs, CancellationToken cancellationToken) =>
                TypedResults.ServerSentEvents(StreamAsync(cluster, logs.CreateLogger(typeof(ActivityEndpoints)), cancellationToken)))
            .WithTags("Activity").RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("StreamActivity")
            .WithSummary("Server-sent events: 'activity' every second (running executions and those that ended since the last event), 'unavailable' while the cluster or database does not answer.");
        return api;
    }

    private static async Task<IResult> GetAsync(HttpContext context, IClusterClient cluster)
    {
        var q = new QueryParsing(context.Request);
        var since = q.Instant("since");
        var limit = q.Number("limit", 50, 1, 500);
        return q.Errors.Count > 0 ? Problems.Invalid(context, q.Errors) : TypedResults.Ok(await cluster.GetGrain<IJobQueryGrain>(0).GetActivityAsync(since, limit));
    }

    private static async IAsyncEnumerable<SseItem<object>> StreamAsync(IClusterClient cluster, ILogger logger, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        DateTimeOffset? since = null;
        using var timer = new PeriodicTimer(Period);
        do
        {
            var (activity, failure) = await ReadAsync(cluster, since, logger);
            if (activity is not null)
            {
                since = activity.Now;
                yield return new SseItem<object>(activity, "activity");
            }
            else
            {
                yield return new SseItem<object>(new { message = failure }, "unavailable");
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    // Outside the iterator: C# does not allow yield inside a try with a catch.
    private static async Task<(Activity? Activity, string? Failure)> ReadAsync(IClusterClient cluster, DateTimeOffset? since, ILogger logger)
    {
        try
        {
            return (await cluster.GetGrain<IJobQueryGrain>(0).GetActivityAsync(since, 200), null);
        }
        catch (Exception e) when (e is StoreUnavailableException or OrleansException or TimeoutException)
        {
            var kind = e.GetType().Name;
            LogUnavailable(logger, kind);
            return (null, e is StoreUnavailableException ? "The database does not answer." : "The scheduler cluster does not answer.");
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Debug, Message = "Activity stream: the cluster or database did not answer ({Kind})")]
    private static partial void LogUnavailable(ILogger logger, string kind);
}
