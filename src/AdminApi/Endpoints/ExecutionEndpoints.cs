using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.AdminApi.Endpoints;

/// <summary>Executions: one run in full, cancel a running one, history cleanup. A job's list is under <c>/jobs/{slug}/executions</c>.</summary>
public static class ExecutionEndpoints
{
    public static RouteGroupBuilder MapExecutionEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/executions").WithTags("Executions");
        group.MapGet("/{id:guid}", GetAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetExecution").WithSummary("One execution with its output, error message and stack trace.")
            .Produces<ExecutionDetails>().ProducesProblem(404);
        group.MapPost("/{id:guid}/cancel", CancelAsync).RequireAuthorization(AdminAuthentication.OperatorPolicy)
            .WithName("CancelExecution").WithSummary("Asks a running execution to stop (202); 409 when it is not running.")
            .Produces<CancelResponse>(StatusCodes.Status202Accepted).ProducesProblem(404).ProducesProblem(409);
        group.MapPost("/cleanup", CleanupAsync).RequireAuthorization(AdminAuthentication.AdminPolicy)
            .WithName("CleanupExecutions").WithSummary("Deletes ended executions older than olderThanDays (default: the retention setting) and audit rows past the audit retention; returns how many of each went.")
            .Produces<CleanupResult>().ProducesValidationProblem();
        group.MapGet("/cleanup", PreviewCleanupAsync).RequireAuthorization(AdminAuthentication.AdminPolicy)
            .WithName("PreviewCleanup").WithSummary("What POST /cleanup would delete now (?olderThanDays=, default: the retention setting), counted without deleting anything.")
            .Produces<CleanupPreview>().ProducesValidationProblem();
        return group;
    }

    internal static async Task<IResult> ListForJobAsync(HttpContext context, IClusterClient cluster, string slug)
    {
        if (JobEndpoints.UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        var q = new QueryParsing(context.Request);
        var query = new ExecutionQuery
        {
            Slug = slug,
            Statuses = q.Enums<ExecutionStatus>("status"),
            TriggerSources = q.Enums<TriggerSource>("trigger"),
            From = q.Instant("from"),
            To = q.Instant("to"),
            Offset = q.Number("offset", 0, 0, 1_000_000),
            Limit = q.Number("limit", 50, 1, 500),
        };
        if (query is { From: { } from, To: { } to } && from >= to)
        {
            q.Errors["from"] = ["from must be earlier than to."];
        }
        return q.Errors.Count > 0
            ? Problems.Invalid(context, q.Errors)
            : TypedResults.Ok(await cluster.GetGrain<IJobQueryGrain>(0).GetExecutionsAsync(query));
    }

    private static async Task<IResult> GetAsync(HttpContext context, IClusterClient cluster, Guid id) =>
        await cluster.GetGrain<IJobQueryGrain>(0).GetExecutionAsync(id) is { } execution
            ? TypedResults.Ok(execution)
            : Problems.NotFound(context, $"No execution with id {id}.");

    private static async Task<IResult> CancelAsync(HttpContext context, IClusterClient cluster, Guid id)
    {
        var actor = context.Actor();
        var outcome = await cluster.GetGrain<IJobQueryGrain>(0).CancelExecutionAsync(id, actor.Name, actor.RequestId);
        if (!outcome.Found)
        {
            return Problems.NotFound(context, $"No execution with id {id}.");
        }
        if (outcome.Status is { } status && !status.IsActive())
        {
            return Problems.Conflict(context, $"Execution {id} is not running (it is {status.ToText()}).");
        }
        return outcome.Requested
            ? TypedResults.Accepted($"/api/cron/executions/{id}", new CancelResponse(id, true))
            : Problems.Conflict(context, $"Execution {id} is no longer running on its job (it may have just ended, or not started yet).");
    }

    private static async Task<IResult> PreviewCleanupAsync(HttpContext context, IClusterClient cluster)
    {
        var q = new QueryParsing(context.Request);
        int? days = context.Request.Query["olderThanDays"].ToString().Length > 0 ? q.Number("olderThanDays", 0, 0, 3650) : null;
        if (q.Errors.Count > 0)
        {
            return Problems.Invalid(context, q.Errors);
        }
        return TypedResults.Ok(await cluster.GetGrain<ISchedulerSettingsGrain>(0).PreviewCleanupAsync(days));
    }

    private static async Task<IResult> CleanupAsync(HttpContext context, IClusterClient cluster)
    {
        var (body, error) = await JobEndpoints.ReadOptionalBodyAsync<CleanupRequest>(context);
        if (error is not null)
        {
            return error;
        }
        if (body?.OlderThanDays is < 0 or > 3650)
        {
            return Problems.Invalid(context, "olderThanDays", $"olderThanDays must be from 0 to 3650; got {body.OlderThanDays}.");
        }
        return TypedResults.Ok(await cluster.GetGrain<ISchedulerSettingsGrain>(0).CleanupAsync(body?.OlderThanDays, context.Actor()));
    }
}
