using System.Globalization;
using System.Text.RegularExpressions;
using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.AdminApi.Endpoints;

/// <summary>One-off runs of a job: scheduled for an instant, listed, cancelled before they start.</summary>
public static partial class OneOffEndpoints
{
    public static RouteGroupBuilder MapOneOffEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/jobs/{slug}/runs").WithTags("One-off runs");
        group.MapPost("/", ScheduleAsync).RequireAuthorization(AdminAuthentication.OperatorPolicy)
            .WithName("ScheduleRun").WithSummary("Schedules one run of the job at a future instant (201); it runs once, by the same fence as every occurrence.")
            .Produces<OneOffRun>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(404);
        group.MapGet("/", ListAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("ListScheduledRuns").WithSummary("The job's pending one-off runs, soonest first; ?all=true adds cancelled and taken ones (latest 100).")
            .Produces<IReadOnlyList<OneOffRun>>().ProducesProblem(404);
        group.MapDelete("/{id:guid}", CancelAsync).RequireAuthorization(AdminAuthentication.OperatorPolicy)
            .WithName("CancelScheduledRun").WithSummary("Cancels a pending one-off run; 409 once it has started or been cancelled.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404).ProducesProblem(409);
        return group;
    }

    [GeneratedRegex(@"(Z|[+-]\d{2}(:?\d{2})?)$", RegexOptions.IgnoreCase)]
    private static partial Regex HasOffset();

    private static readonly string[] LocalFormats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"];

    private static async Task<IResult> ScheduleAsync(HttpContext context, IClusterClient cluster, string slug, OneOffRunRequest body)
    {
        if (JobEndpoints.UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        var query = cluster.GetGrain<IJobQueryGrain>(0);
        var zoneId = string.IsNullOrWhiteSpace(body.TimeZone) ? (await query.GetJobAsync(slug)).TimeZone : body.TimeZone.Trim();
        if (zoneId.Length > 100 || !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone))
        {
            return Problems.Invalid(context, "timeZone", $"Unknown time zone '{JobEndpoints.Shorten(zoneId)}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.");
        }
        if (ReadInstant(body.At, zone, zoneId, out var at) is { } error)
        {
            return Problems.Invalid(context, "at", error);
        }
        var actor = context.Actor();
        var run = await query.ScheduleRunAsync(slug, new OneOffRequest
        {
            RunAt = at, TimeZone = zoneId, Note = body.Note, UserId = actor.Name, RequestId = actor.RequestId,
        });
        return TypedResults.Created($"/api/cron/jobs/{slug}/runs/{run.Id}", run);
    }

    /// <summary>Reads <c>at</c>: an instant when it has an offset, else a wall-clock time in the zone; the refusal, or null.</summary>
    internal static string? ReadInstant(string? text, TimeZoneInfo zone, string zoneId, out DateTimeOffset at)
    {
        at = default;
        var value = text?.Trim() ?? "";
        if (value.Length is 0 or > 40)
        {
            return "at is required: an ISO 8601 time such as 2026-12-24T09:00 (read in timeZone) or 2026-12-24T08:00:00Z.";
        }
        if (HasOffset().IsMatch(value))
        {
            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out at)
                ? null : $"'{JobEndpoints.Shorten(value)}' is not an ISO 8601 time.";
        }
        if (!DateTime.TryParseExact(value, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return $"'{JobEndpoints.Shorten(value)}' is not an ISO 8601 time such as 2026-12-24T09:00.";
        }
        if (zone.IsInvalidTime(local))
        {
            return $"{value} does not exist in {zoneId}: the clocks skip it (daylight saving time begins). Pick another time.";
        }
        if (zone.IsAmbiguousTime(local))
        {
            return $"{value} happens twice in {zoneId} (daylight saving time ends); give it with an offset, e.g. {value}{FormatOffset(zone.GetAmbiguousTimeOffsets(local)[0])}.";
        }
        at = new DateTimeOffset(local, zone.GetUtcOffset(local));
        return null;
    }

    private static string FormatOffset(TimeSpan offset) => (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static async Task<IResult> ListAsync(HttpContext context, IClusterClient cluster, string slug)
    {
        if (JobEndpoints.UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        var q = new QueryParsing(context.Request);
        var all = q.Flag("all") ?? false;
        return q.Errors.Count > 0 ? Problems.Invalid(context, q.Errors) : TypedResults.Ok(await cluster.GetGrain<IJobQueryGrain>(0).GetOneOffsAsync(slug, all));
    }

    private static async Task<IResult> CancelAsync(HttpContext context, IClusterClient cluster, string slug, Guid id)
    {
        if (JobEndpoints.UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        var actor = context.Actor();
        return await cluster.GetGrain<IJobQueryGrain>(0).CancelOneOffAsync(slug, id, actor.Name, actor.RequestId) switch
        {
            OneOffCancel.Cancelled => TypedResults.NoContent(),
            OneOffCancel.NotFound => Problems.NotFound(context, $"Job '{slug}' has no one-off run {id}."),
            OneOffCancel.AlreadyTaken => Problems.Conflict(context, $"One-off run {id} has already started (or been recorded as not run); cancel its execution instead."),
            _ => Problems.Conflict(context, $"One-off run {id} was already cancelled."),
        };
    }
}
