using System.Text.RegularExpressions;
using Totallator.AdminApi.Contracts;
using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.AdminApi.Endpoints;

/// <summary>Jobs: list, details, configuration, enable/disable and manual triggers. A job is addressed by its slug.</summary>
public static partial class JobEndpoints
{
    public static RouteGroupBuilder MapJobEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/jobs").WithTags("Jobs");
        group.MapGet("/", ListAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("ListJobs").WithSummary("A page of the jobs with their state, schedule, next fire times, last run, the statistics kept as runs end and dependencies: limit (1-10000, default 50), offset, q (slug, name or description), state (enabled, disabled, paused, invalid, failing, running, orphaned, deleted; any of several), source (code, configuration, api), chain (true/false), outcome (succeeded, failures, never), sort (slug, name, last_run, success_rate, runs) and order (asc, desc). Answers { items, total, offset, limit }.")
            .Produces<JobListPage>().ProducesValidationProblem();
        group.MapGet("/{slug}", GetAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetJob").WithSummary("One job with full configuration and statistics; the ETag header carries its version.")
            .Produces<JobView>().ProducesProblem(404);
        group.MapPatch("/{slug}", PatchAsync).RequireAuthorization(AdminAuthentication.AdminPolicy)
            .WithName("UpdateJob").WithSummary("Changes schedule, time zone, timeout, retries, misfire policy, enabled or the jobs it runs after, and for a job created from a job type its name, description and parameters; send If-Match to detect concurrent edits.")
            .Produces<JobView>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(412);
        group.MapPost("/{slug}/enable", (HttpContext c, IClusterClient cluster, string slug) => SetEnabledAsync(c, cluster, slug, true))
            .RequireAuthorization(AdminAuthentication.OperatorPolicy).WithName("EnableJob").WithSummary("Enables the job's schedule.")
            .Produces<JobView>().ProducesProblem(404);
        group.MapPost("/{slug}/disable", (HttpContext c, IClusterClient cluster, string slug) => SetEnabledAsync(c, cluster, slug, false))
            .RequireAuthorization(AdminAuthentication.OperatorPolicy).WithName("DisableJob").WithSummary("Disables the job's schedule; a running execution finishes.")
            .Produces<JobView>().ProducesProblem(404);
        group.MapPost("/{slug}/trigger", TriggerAsync).RequireAuthorization(AdminAuthentication.OperatorPolicy)
            .WithMetadata(TriggerRateLimit.Marker)
            .WithName("TriggerJob").WithSummary("Runs the job now (202 with the execution id). 409 while a run is in progress unless override is true; honours Idempotency-Key.")
            .Produces<TriggerResponse>(StatusCodes.Status202Accepted).ProducesProblem(404).ProducesProblem(409).ProducesProblem(429);
        group.MapGet("/{slug}/executions", ExecutionEndpoints.ListForJobAsync).RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("ListJobExecutions").WithSummary("A page of the job's executions, newest first, filterable by status, trigger source and time range.")
            .Produces<ExecutionPage>().ProducesValidationProblem().ProducesProblem(404);
        return group;
    }

    /// <summary>Slugs as the database allows them; anything else cannot name a job, so it is a 404 without a cluster call.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    internal static partial Regex SlugPattern();

    internal static IResult? UnknownSlug(HttpContext context, string slug) =>
        SlugPattern().IsMatch(slug) ? null : Problems.NotFound(context, $"No job with slug '{Shorten(slug)}'.");

    /// <summary>400 for an If-Match that is not a job's ETag.</summary>
    internal static IResult BadIfMatch(HttpContext context) =>
        Problems.Invalid(context, "If-Match", "If-Match must be the job's ETag as returned by GET (e.g. \"7\"), or *.");

    internal static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    /// <summary>The list, filtered, sorted and paged by the cluster (docs/admin-read.md); every bad parameter is named in one 400.</summary>
    private static async Task<IResult> ListAsync(HttpContext context, IClusterClient cluster)
    {
        var q = new QueryParsing(context.Request);
        var query = new JobListQuery
        {
            Limit = q.Number("limit", JobListQuery.DefaultLimit, 1, JobListQuery.MaxLimit),
            Offset = q.Number("offset", 0, 0, int.MaxValue),
            Search = q.Text("q", JobListQuery.MaxSearchLength),
            States = q.Enums<JobListState>("state"),
            Source = q.OneOf("source", "code", "configuration", "api"),
            Chain = q.Flag("chain"),
            Outcome = q.OneEnum<JobListOutcome>("outcome"),
            Sort = q.OneEnum<JobListSort>("sort") ?? JobListSort.Slug,
            Descending = q.OneOf("order", "asc", "desc") == "desc",
        };
        if (q.Errors.Count > 0)
        {
            return Problems.Invalid(context, q.Errors);
        }
        return TypedResults.Ok(await cluster.GetGrain<IJobQueryGrain>(0).ListJobsAsync(query));
    }

    private static async Task<IResult> GetAsync(HttpContext context, IClusterClient cluster, string slug)
    {
        if (UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        var job = await cluster.GetGrain<IJobQueryGrain>(0).GetJobAsync(slug);
        context.Response.Headers.ETag = ETags.For(job.Version);
        return TypedResults.Ok(job);
    }

    private static async Task<IResult> PatchAsync(HttpContext context, IClusterClient cluster, string slug, JobPatchRequest patch)
    {
        if (UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        if (!ETags.TryReadIfMatch(context.Request, out var expected))
        {
            return BadIfMatch(context);
        }
        if (patch is { Schedule: null, TimeZone: null, TimeoutMs: null, MaxRetries: null, MisfirePolicy: null, Enabled: null, After: null, Name: null,
                Description: null, Parameters: null, PauseAfterFailures: null })
        {
            return Problems.Invalid(context, "body",
                "Nothing to change: send at least one of schedule, timeZone, timeoutMs, maxRetries, misfirePolicy, enabled, after, name, description, parameters, pauseAfterFailures.");
        }
        if (JobCreationEndpoints.ReadParameters(patch.Parameters, out var parameters) is { } badParameters)
        {
            return Problems.Invalid(context, "parameters", badParameters);
        }
        if (ReadUpstreams(patch.After, out var after) is { } badAfter)
        {
            return Problems.Invalid(context, "after", badAfter);
        }
        if (JobCreationEndpoints.TooLong(("schedule", patch.Schedule), ("timeZone", patch.TimeZone), ("name", patch.Name), ("description", patch.Description))
            is { } tooLong)
        {
            return Problems.Invalid(context, tooLong.Field, tooLong.Message);
        }
        var actor = context.Actor();
        return await ApplyAsync(context, cluster, slug, new JobConfigChange
        {
            Schedule = patch.Schedule, TimeZone = patch.TimeZone, TimeoutMs = patch.TimeoutMs, MaxRetries = patch.MaxRetries,
            MisfirePolicy = patch.MisfirePolicy, IsEnabled = patch.Enabled, ExpectedVersion = expected, After = after,
            Name = patch.Name, Description = patch.Description, ParametersJson = parameters, PauseAfterFailures = patch.PauseAfterFailures,
            ChangedBy = actor.Name, RequestId = actor.RequestId,
        });
    }

    /// <summary>Reads <c>after</c> entries (<c>slug[:condition]</c>); the refusal's message, or null.</summary>
    private static string? ReadUpstreams(IReadOnlyList<string>? entries, out IReadOnlyList<Upstream>? upstreams)
    {
        upstreams = null;
        if (entries is null)
        {
            return null;
        }
        if (entries.Count > 32)
        {
            return $"after may name at most 32 jobs; got {entries.Count}.";
        }
        var list = new List<Upstream>();
        foreach (var entry in entries)
        {
            if (entry is null || entry.Length > 100)
            {
                return "Each entry of after is a job slug, optionally followed by :success, :failure or :completion.";
            }
            if (!Upstream.TryParse(entry, out var upstream, out var error))
            {
                return error!;
            }
            if (!SlugPattern().IsMatch(upstream!.Slug))
            {
                return $"'{Shorten(upstream.Slug)}' in after is not a job slug (lower-case letters, digits and dashes).";
            }
            list.Add(upstream);
        }
        upstreams = list;
        return null;
    }

    private static async Task<IResult> SetEnabledAsync(HttpContext context, IClusterClient cluster, string slug, bool enabled)
    {
        if (UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        var actor = context.Actor();
        return await ApplyAsync(context, cluster, slug, new JobConfigChange { IsEnabled = enabled, ChangedBy = actor.Name, RequestId = actor.RequestId });
    }

    internal static async Task<IResult> ApplyAsync(HttpContext context, IClusterClient cluster, string slug, JobConfigChange change)
    {
        var job = await cluster.GetGrain<IJobQueryGrain>(0).UpdateJobAsync(slug, change);
        context.Response.Headers.ETag = ETags.For(job.Version);
        return TypedResults.Ok(job);
    }

    private static async Task<IResult> TriggerAsync(HttpContext context, IClusterClient cluster, string slug, bool? @override)
    {
        if (UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        var body = await ReadOptionalBodyAsync<TriggerRequestBody>(context);
        if (body.Error is { } error)
        {
            return error;
        }
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length > 200 || key.Any(char.IsControl))
        {
            return Problems.Invalid(context, "Idempotency-Key", "Idempotency-Key must be at most 200 printable characters.");
        }
        // An unknown slug: the job grain throws CronJobNotFoundException (404) and deactivates at once (no statistics read here).
        var actor = context.Actor();
        var result = await cluster.GetGrain<ICronJobGrain>(slug).TriggerAsync(new TriggerRequest
        {
            UserId = actor.Name, OverrideRunning = @override ?? body.Value?.Override ?? false,
            IdempotencyKey = key.Length == 0 ? null : key, RequestId = actor.RequestId,
        });
        if (!result.Started && !result.Replayed)
        {
            return Problems.Conflict(context, result.RefusalReason ?? "The job did not start.",
                result.ExecutionId is { } running ? new Dictionary<string, object?> { ["runningExecutionId"] = running } : null);
        }
        var id = result.ExecutionId!.Value;
        return TypedResults.Accepted($"/api/cron/executions/{id}", new TriggerResponse(id, result.Replayed));
    }

    /// <summary>Reads a JSON body when there is one; an empty body means defaults.</summary>
    internal static async Task<(T? Value, IResult? Error)> ReadOptionalBodyAsync<T>(HttpContext context) where T : class
    {
        if (context.Request.ContentLength is 0 || (context.Request.ContentLength is null && !context.Request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return (null, null);
        }
        if (!context.Request.HasJsonContentType())
        {
            return (null, Problems.Result(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported media type.",
                "Send the body as JSON (Content-Type: application/json), or no body."));
        }
        try
        {
            return (await context.Request.ReadFromJsonAsync<T>(context.RequestAborted), null);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new BadHttpRequestException("Failed to read the JSON body.", StatusCodes.Status400BadRequest, e);
        }
    }
}
