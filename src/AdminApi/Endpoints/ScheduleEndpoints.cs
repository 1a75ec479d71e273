using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Endpoints;

/// <summary>Schedule preview: is an expression valid in a zone, and when does it fire.</summary>
public static class ScheduleEndpoints
{
    public static RouteGroupBuilder MapScheduleEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/schedule").WithTags("Schedules");
        group.MapPost("/preview", PreviewAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("PreviewSchedule")
            .WithSummary("Validates a cron expression in a time zone: 200 with the next fire times, or 400 with the reason it cannot fire.")
            .Produces<SchedulePreview>().ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> PreviewAsync(HttpContext context, IClusterClient cluster, SchedulePreviewRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Schedule) || request.Schedule.Length > 200)
        {
            return Problems.Invalid(context, "schedule", "schedule is required (a cron expression of 5 or 6 fields, at most 200 characters).");
        }
        if (request.TimeZone is { Length: > 100 })
        {
            return Problems.Invalid(context, "timeZone", "timeZone may have at most 100 characters.");
        }
        if (request.Count is < 1 or > 100)
        {
            return Problems.Invalid(context, "count", $"count must be from 1 to 100; got {request.Count}.");
        }
        var preview = await cluster.GetGrain<IJobQueryGrain>(0).PreviewScheduleAsync(request.Schedule, request.TimeZone ?? "UTC", request.Count ?? 10);
        return preview.IsValid
            ? TypedResults.Ok(preview)
            : Problems.Invalid(context, preview.ErrorField ?? "schedule", preview.Error ?? "The schedule cannot fire.");
    }
}
