using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Endpoints;

/// <summary>Global settings: history and audit retention, the global pause, defaults for new jobs.</summary>
public static class SettingsEndpoints
{
    public static RouteGroupBuilder MapSettingsEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/config").WithTags("Settings");
        group.MapGet("/", async (IClusterClient cluster) => TypedResults.Ok(await cluster.GetGrain<ISchedulerSettingsGrain>(0).GetAsync()))
            .RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetSettings").WithSummary("The global settings.");
        group.MapPut("/", UpdateAsync).RequireAuthorization(AdminAuthentication.AdminPolicy)
            .WithName("UpdateSettings").WithSummary("Changes the settings sent (omitted ones stay); schedulingPaused pauses every job's schedule.")
            .Produces<GlobalSettings>().ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, IClusterClient cluster, GlobalSettingsChange change)
    {
        if (change is { HistoryRetentionDays: null, SchedulingPaused: null, DefaultTimeZone: null, DefaultTimeoutMs: null,
            DefaultMaxRetries: null, DefaultMisfirePolicy: null, AuditRetentionDays: null })
        {
            return Problems.Invalid(context, "body", "Nothing to change: send at least one setting.");
        }
        return TypedResults.Ok(await cluster.GetGrain<ISchedulerSettingsGrain>(0).UpdateAsync(change, context.Actor()));
    }
}
