using System.Text.Json;
using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.AdminApi.Endpoints;

/// <summary>
/// Jobs that admins create from registered job types, and delete. Edits go through <c>PATCH /jobs/{slug}</c> like every job's.
/// Command jobs are configuration-only: nothing here creates or changes a command line.
/// </summary>
public static class JobCreationEndpoints
{
    /// <summary>The most JSON the parameters of one job may take (they live in the job's row and travel with every load).</summary>
    public const int MaxParametersLength = 16 * 1024;

    private static readonly (string Field, int Max)[] Limits = [("slug", 63), ("type", 63), ("name", 200), ("description", 2000), ("schedule", 200), ("timeZone", 100)];

    public static RouteGroupBuilder MapJobCreationEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/jobs").WithTags("Jobs");
        group.MapPost("/", CreateAsync).RequireAuthorization(AdminAuthentication.AdminPolicy)
            .WithName("CreateJob").WithSummary("Creates a job from a registered job type (see /job-types): slug, name, schedule, zone, timeout, retries, misfire policy and parameters validated against the type. Audited.")
            .Produces<JobView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(409);
        group.MapDelete("/{slug}", DeleteAsync).RequireAuthorization(AdminAuthentication.AdminPolicy)
            .WithName("DeleteJob").WithSummary("Deletes a job created from a job type: no longer scheduled, pending one-off runs cancelled, history kept. Jobs from code or configuration answer 409. Send If-Match to detect concurrent edits. Audited.")
            .Produces<JobView>().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        return group;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IClusterClient cluster, JobCreateRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        void Require(string field, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors[field] = [$"{field} is required."];
            }
        }
        Require("slug", request.Slug);
        Require("type", request.Type);
        Require("name", request.Name);
        Require("schedule", request.Schedule);
        if (request.Parameters is null)
        {
            errors["parameters"] = ["parameters is required: a JSON object that fits the job type (GET /api/cron/job-types gives its schema)."];
        }
        if (errors.Count > 0)
        {
            return Problems.Invalid(context, errors);
        }
        if (TooLong(("slug", request.Slug), ("type", request.Type), ("name", request.Name), ("description", request.Description),
                ("schedule", request.Schedule), ("timeZone", request.TimeZone)) is { } tooLong)
        {
            return Problems.Invalid(context, tooLong.Field, tooLong.Message);
        }
        if (!JobEndpoints.SlugPattern().IsMatch(request.Slug!))
        {
            return Problems.Invalid(context, "slug", "slug must be 1-63 lower-case letters, digits and dashes, starting with a letter or digit.");
        }
        if (ReadParameters(request.Parameters, out var parameters) is { } badParameters)
        {
            return Problems.Invalid(context, "parameters", badParameters);
        }
        var actor = context.Actor();
        var job = await cluster.GetGrain<IJobQueryGrain>(0).CreateJobAsync(request.Slug!, new JobCreation
        {
            Type = request.Type!, Name = request.Name!, Description = request.Description ?? "", Schedule = request.Schedule!,
            TimeZone = request.TimeZone, TimeoutMs = request.TimeoutMs, MaxRetries = request.MaxRetries, MisfirePolicy = request.MisfirePolicy,
            Enabled = request.Enabled ?? true, ParametersJson = parameters!, CreatedBy = actor.Name, RequestId = actor.RequestId,
        });
        context.Response.Headers.ETag = ETags.For(job.Version);
        return TypedResults.Created($"/api/cron/jobs/{job.Slug}", job);
    }

    private static async Task<IResult> DeleteAsync(HttpContext context, IClusterClient cluster, string slug)
    {
        if (JobEndpoints.UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        if (!ETags.TryReadIfMatch(context.Request, out var expected))
        {
            return JobEndpoints.BadIfMatch(context);
        }
        var actor = context.Actor();
        var job = await cluster.GetGrain<IJobQueryGrain>(0).DeleteJobAsync(slug, new JobDeletion
        {
            ExpectedVersion = expected, DeletedBy = actor.Name, RequestId = actor.RequestId,
        });
        context.Response.Headers.ETag = ETags.For(job.Version);
        return TypedResults.Ok(job);
    }

    /// <summary>Parameters as the JSON text to validate against the type; the refusal's message, or null. Absent stays null.</summary>
    internal static string? ReadParameters(JsonElement? element, out string? json)
    {
        json = null;
        if (element is not { } value || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            return $"parameters must be a JSON object; got {value.ValueKind.ToString().ToLowerInvariant()}.";
        }
        json = value.GetRawText();
        return json.Length > MaxParametersLength ? $"parameters may take at most {MaxParametersLength / 1024} KB of JSON; got {json.Length} characters." : null;
    }

    /// <summary>The first text field over its limit, with the message; null when all fit.</summary>
    internal static (string Field, string Message)? TooLong(params (string Field, string? Value)[] fields)
    {
        foreach (var (field, value) in fields)
        {
            var max = Limits.First(l => l.Field == field).Max;
            if (value is { } text && text.Length > max)
            {
                return (field, $"{field} may have at most {max} characters; got {text.Length}.");
            }
        }
        return null;
    }
}
