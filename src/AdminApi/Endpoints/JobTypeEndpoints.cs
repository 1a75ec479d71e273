using System.Text.Json;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Endpoints;

/// <summary>Job types registered in code: what admins can create jobs from, with each type's parameters as a JSON schema.</summary>
public static class JobTypeEndpoints
{
    /// <summary>A job type with its parameters' JSON schema as an object.</summary>
    public sealed record JobTypeResponse(string Name, string DisplayName, string Description, JsonElement ParametersSchema);

    public static RouteGroupBuilder MapJobTypeEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/job-types", ListAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy).WithTags("Job types")
            .WithName("ListJobTypes").WithSummary("The job types registered in code, with each one's parameters as a JSON schema (draft 2020-12).")
            .Produces<IReadOnlyList<JobTypeResponse>>();
        return api;
    }

    private static async Task<IResult> ListAsync(IClusterClient cluster) =>
        TypedResults.Ok((await cluster.GetGrain<IJobQueryGrain>(0).ListJobTypesAsync())
            .Select(t => new JobTypeResponse(t.Name, t.DisplayName, t.Description, JsonDocument.Parse(t.ParametersSchemaJson).RootElement.Clone()))
            .ToList());
}
