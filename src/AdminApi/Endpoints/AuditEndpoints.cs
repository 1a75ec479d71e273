using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Endpoints;

/// <summary>The audit trail: who changed what and when, with old and new values.</summary>
public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/audit", ListAsync).WithTags("Audit").RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("ListAudit").WithSummary("A page of audit rows, newest first; filter with job, actor, action, from, to.")
            .Produces<AuditPageResponse>().ProducesValidationProblem();
        return api;
    }

    private static async Task<IResult> ListAsync(HttpContext context, IClusterClient cluster)
    {
        var q = new QueryParsing(context.Request);
        var query = new AuditQuery
        {
            JobSlug = q.Text("job", 63), Actor = q.Text("actor", 100), Action = q.Text("action", 50),
            From = q.Instant("from"), To = q.Instant("to"),
            Offset = q.Number("offset", 0, 0, 1_000_000), Limit = q.Number("limit", 50, 1, 500),
        };
        if (q.Errors.Count > 0)
        {
            return Problems.Invalid(context, q.Errors);
        }
        var page = await cluster.GetGrain<IJobQueryGrain>(0).GetAuditAsync(query);
        return TypedResults.Ok(new AuditPageResponse([.. page.Items.Select(AuditEntryResponse.From)], page.Offset, page.Limit, page.HasMore, page.TrailRows));
    }
}
