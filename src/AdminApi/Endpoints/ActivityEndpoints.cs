using System.Globalization;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Totallator.AdminApi.Events;
using Totallator.AdminApi.Hosting;
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
    /// <summary>How often a stream sends: as often as the shared feed reads.</summary>
    private static readonly TimeSpan Period = ActivityFeed.Period;

    /// <summary>The most often a stream re-checks its caller, however short the key cache.</summary>
    private static readonly TimeSpan ShortestRecheck = TimeSpan.FromMilliseconds(100);

    /// <summary>When a refused stream may try again: slots free as other streams close, there is no window to wait for.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(10);

    public static RouteGroupBuilder MapActivityEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/activity", GetAsync).WithTags("Activity").RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetActivity").WithSummary("Executions running now and the latest that ended (since, limit), across all jobs. A completion becomes visible a moment after its completedAt: to follow ends, pass a since some seconds before the previous answer's now and skip the ids already seen (the event stream does so).")
            .Produces<Activity>().ProducesValidationProblem();
        api.MapGet("/events", OpenStreamAsync)
            .WithTags("Activity").RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("StreamActivity")
            .WithSummary("Server-sent events: 'activity' every second (running executions and those that ended since the last event), 'unavailable' while the cluster or database does not answer, 'signed-out' (then the stream ends) when the key is revoked or the session ends. 429 past the caps on open streams.")
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return api;
    }

    private static async Task<IResult> GetAsync(HttpContext context, IClusterClient cluster)
    {
        var q = new QueryParsing(context.Request);
        var since = q.Instant("since");
        var limit = q.Number("limit", 50, 1, 500);
        return q.Errors.Count > 0 ? Problems.Invalid(context, q.Errors) : TypedResults.Ok(await cluster.GetGrain<IJobQueryGrain>(0).GetActivityAsync(since, limit));
    }

    private static async Task<IResult> OpenStreamAsync(HttpContext context, ActivityFeed feed, EventStreamSlots slots, CallerCheck check,
        IOptions<AdminApiOptions> options, ILoggerFactory logs)
    {
        var logger = logs.CreateLogger(typeof(ActivityEndpoints));
        var caller = Caller.From(context.User);
        // Per key: a key's browser sessions and its machine use count together.
        if (slots.TryOpen(caller.KeyId.Length > 0 ? caller.KeyId : caller.Name, out var refusal) is not { } slot)
        {
            LogStreamRefused(logger, caller.Name);
            context.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            return Problems.Result(context, StatusCodes.Status429TooManyRequests, "Too many live event streams.", refusal);
        }
        context.Response.RegisterForDispose(slot);
        // When a session ends: its ticket, as this request's authentication read it (cached, no second read); none for a key.
        var expires = (await context.AuthenticateAsync(AdminAuthentication.Scheme)).Properties?.ExpiresUtc;
        var user = context.User;
        return TypedResults.ServerSentEvents(StreamAsync(feed, () => check.RefusalAsync(user, expires), RecheckInterval(options.Value.KeyCacheDuration),
            caller.Name, logger, context.RequestAborted));
    }

    /// <summary>
    /// The caller is checked once per key cache period (a revoked key is seen as soon as requests are refused), but at least
    /// every <see cref="Period"/> (a session's expiry, a sign-out) and at most ten times a second.
    /// </summary>
    private static TimeSpan RecheckInterval(TimeSpan keyCacheDuration) =>
        keyCacheDuration <= TimeSpan.Zero ? Period : TimeSpan.FromTicks(Math.Clamp(keyCacheDuration.Ticks, ShortestRecheck.Ticks, Period.Ticks));

    /// <summary>
    /// One stream: the caller re-checked on every tick; the shared feed's reads sent as they arrive (each through this stream's
    /// cursor, so every end goes once); 'unavailable' when the feed's read failed or the caller could not be checked.
    /// </summary>
    private static async IAsyncEnumerable<SseItem<object>> StreamAsync(ActivityFeed feed, Func<Task<string?>> refusal, TimeSpan recheck,
        string caller, ILogger logger, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = new ActivityCursor();
        var unknownEvery = Math.Max(1, (int)Math.Round(Period / recheck));
        var step = 0;
        using var subscription = feed.Subscribe();
        using var timer = new PeriodicTimer(recheck);
        do
        {
            // The stream must not outlive the right to read it: checked before anything is sent.
            var (refused, unknown) = await RecheckAsync(refusal, logger);
            if (refused is not null)
            {
                LogStreamEnded(logger, caller, refused);
                yield return new SseItem<object>(new { message = refused }, "signed-out");
                yield break;
            }
            var reads = subscription.Take();
            if (unknown is not null)
            {
                // When the caller cannot be checked (the cluster does not answer), nothing read is sent to it.
                if (step++ % unknownEvery == 0)
                {
                    yield return new SseItem<object>(new { message = unknown }, "unavailable");
                }
                continue;
            }
            foreach (var read in reads)
            {
                yield return read.Activity is { } activity
                    ? new SseItem<object>(cursor.Advance(activity), "activity")
                    : new SseItem<object>(new { message = read.Failure }, "unavailable");
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    // Outside the iterator: C# does not allow yield inside a try with a catch.
    private static async Task<(string? Refusal, string? Unknown)> RecheckAsync(Func<Task<string?>> refusal, ILogger logger)
    {
        try
        {
            return (await refusal(), null);
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

    [LoggerMessage(EventId = 31, Level = LogLevel.Information, Message = "Ended the activity stream of {Caller}: {Reason}")]
    private static partial void LogStreamEnded(ILogger logger, string caller, string reason);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Refused an activity stream to {Caller}: too many streams open")]
    private static partial void LogStreamRefused(ILogger logger, string caller);
}
