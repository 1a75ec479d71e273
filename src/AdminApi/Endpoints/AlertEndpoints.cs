using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.AdminApi.Endpoints;

/// <summary>
/// Alert rules and their delivery log. Viewers read them (never a secret, never a webhook URL's path); admins make, change,
/// test and delete the rules made here. Rules from configuration are listed, read-only.
/// </summary>
public static class AlertEndpoints
{
    public static RouteGroupBuilder MapAlertEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/alerts").WithTags("Alerts");
        group.MapGet("/rules", async (IClusterClient cluster) => TypedResults.Ok(await cluster.GetGrain<IAlertGrain>(0).ListRulesAsync()))
            .RequireAuthorization(AdminAuthentication.ViewerPolicy).WithName("ListAlertRules")
            .WithSummary("Every alert rule, by name: destination shown as scheme and host only, secrets never.");
        group.MapPost("/rules", CreateAsync).RequireAuthorization(AdminAuthentication.AdminPolicy).WithName("CreateAlertRule")
            .WithSummary("Makes a rule: events (failed, timed_out, abandoned, missed, recovered, stale, paused), channel (webhook, slack), url, secret.")
            .Produces<AlertRuleView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(409);
        group.MapPut("/rules/{name}", UpdateAsync).RequireAuthorization(AdminAuthentication.AdminPolicy).WithName("UpdateAlertRule")
            .WithSummary("Changes a rule made here; expectedVersion is required. Leave url or secret out to keep them.")
            .Produces<AlertRuleView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(412);
        group.MapDelete("/rules/{name}", DeleteAsync).RequireAuthorization(AdminAuthentication.AdminPolicy).WithName("DeleteAlertRule")
            .WithSummary("Deletes a rule made here, and its delivery log.").Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        group.MapPost("/rules/{name}/test", TestAsync).RequireAuthorization(AdminAuthentication.AdminPolicy).WithName("TestAlertRule")
            .WithSummary("Queues a test message to the rule's destination; the delivery log tells how it went.")
            .Produces<AlertDeliveryView>(StatusCodes.Status202Accepted).ProducesProblem(404);
        group.MapGet("/deliveries", ListDeliveriesAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy).WithName("ListAlertDeliveries")
            .WithSummary("The delivery log, newest first; filter by rule, job and status (pending, sent, given_up).")
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IClusterClient cluster, AlertRuleInput rule)
    {
        if (rule.ExpectedVersion is not null)
        {
            return Problems.Invalid(context, "expectedVersion", "A new rule has no version; change an existing rule with PUT /api/cron/alerts/rules/{name}.");
        }
        var saved = await cluster.GetGrain<IAlertGrain>(0).SaveRuleAsync(rule, context.Actor());
        return TypedResults.Created($"/api/cron/alerts/rules/{Uri.EscapeDataString(saved.Name)}", saved);
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, IClusterClient cluster, string name, AlertRuleInput rule)
    {
        if (rule.ExpectedVersion is null)
        {
            return Problems.Invalid(context, "expectedVersion", "Send the version you read (the rule's version) so that a change made meanwhile is not overwritten.");
        }
        if (!string.IsNullOrEmpty(rule.Name) && rule.Name != name)
        {
            return Problems.Invalid(context, "name", "A rule keeps its name; make a new rule for another name.");
        }
        return TypedResults.Ok(await cluster.GetGrain<IAlertGrain>(0).SaveRuleAsync(rule with { Name = name }, context.Actor()));
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IClusterClient cluster, string name) =>
        await cluster.GetGrain<IAlertGrain>(0).DeleteRuleAsync(name, context.Actor())
            ? TypedResults.NoContent()
            : Problems.NotFound(context, $"No alert rule named '{name}' made in the pages (rules from configuration are changed there).");

    private static async Task<IResult> TestAsync(HttpContext context, IClusterClient cluster, string name) =>
        TypedResults.Accepted((string?)null, await cluster.GetGrain<IAlertGrain>(0).TestAsync(name, context.Actor()));

    private static async Task<IResult> ListDeliveriesAsync(IClusterClient cluster, string? rule, string? job, string? status, int? limit) =>
        TypedResults.Ok(await cluster.GetGrain<IAlertGrain>(0).ListDeliveriesAsync(new AlertDeliveryQuery
        {
            Rule = rule, JobSlug = job, Status = status, Limit = limit ?? 100,
        }));
}
