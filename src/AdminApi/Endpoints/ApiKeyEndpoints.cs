using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Endpoints;

/// <summary>API keys (admins only). A key is shown once, when created; only its hash is stored.</summary>
public static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/keys").WithTags("API keys").RequireAuthorization(AdminAuthentication.AdminPolicy);
        group.MapGet("/", async (IClusterClient cluster) => TypedResults.Ok(await cluster.GetGrain<IApiKeyGrain>(0).ListAsync()))
            .WithName("ListApiKeys").WithSummary("Every key, revoked ones included; never the keys themselves.");
        group.MapPost("/", CreateAsync).WithName("CreateApiKey")
            .WithSummary("Creates a key with a role (viewer, operator, admin); the answer shows the key this once.")
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapDelete("/{id:guid}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revokes a key; it stops working within Admin:KeyCacheDuration.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404);
        return group;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IClusterClient cluster, CreateApiKeyRequest request)
    {
        if (!Caller.TryParseRole(request.Role, out var role))
        {
            return Problems.Invalid(context, "role", "role must be viewer, operator or admin.");
        }
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return Problems.Invalid(context, "name", "name is required.");
        }
        var key = ApiKeys.Generate();
        var info = await cluster.GetGrain<IApiKeyGrain>(0).CreateAsync(
            new NewApiKey { Name = request.Name.Trim(), Role = role, KeyHash = ApiKeys.Hash(key), Prefix = ApiKeys.Prefix(key) }, context.Actor());
        return TypedResults.Created($"/api/cron/keys/{info.Id}", new CreatedApiKeyResponse(info.Id, info.Name, Caller.RoleText(info.Role), info.Prefix, key));
    }

    private static async Task<IResult> RevokeAsync(HttpContext context, IClusterClient cluster, Guid id) =>
        await cluster.GetGrain<IApiKeyGrain>(0).RevokeAsync(id, context.Actor())
            ? TypedResults.NoContent()
            : Problems.NotFound(context, $"No active API key with id {id}.");
}
