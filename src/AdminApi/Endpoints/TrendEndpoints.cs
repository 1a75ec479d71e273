using Totallator.AdminApi.Infrastructure;
using Totallator.AdminApi.Security;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.AdminApi.Endpoints;

/// <summary>
/// Analytics from the roll-ups (docs/analytics.md), which outlive the history's retention: a job's trend over a period, and
/// every job's failure rate over a period for the list. Viewers may read both.
/// </summary>
public static class TrendEndpoints
{
    public static RouteGroupBuilder MapTrendEndpoints(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        api.MapGet("/jobs/{slug}/trend", TrendAsync).WithTags("Trends").RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetJobTrend")
            .WithSummary("The job's roll-ups over ?period=24h (hourly buckets), 7d, 30d or 1y (daily, UTC): counts by status, success rate, duration p50/p95/max, lateness p50/p99, memory and CPU peaks, and totals.")
            .Produces<JobTrend>().ProducesValidationProblem().ProducesProblem(404);
        // Outside /jobs/: "failure-rates" is a valid slug, and a literal segment there would hide that job's page.
        api.MapGet("/failure-rates", FailureRatesAsync).WithTags("Trends").RequireAuthorization(AdminAuthentication.ViewerPolicy)
            .WithName("GetFailureRates")
            .WithSummary("Every job's runs and failure rate (failed, timed out or abandoned over the attempts that ran) over ?period=24h, 7d (default), 30d or 1y, from the roll-ups.")
            .Produces<FailureRates>().ProducesValidationProblem();
        return api;
    }

    private static async Task<IResult> TrendAsync(HttpContext context, IClusterClient cluster, string slug)
    {
        if (JobEndpoints.UnknownSlug(context, slug) is { } notFound)
        {
            return notFound;
        }
        if (ReadPeriod(context, TrendPeriod.Hours24) is not { } period)
        {
            return BadPeriod(context);
        }
        return TypedResults.Ok(await cluster.GetGrain<ITrendQueryGrain>(0).GetTrendAsync(slug, period));
    }

    private static async Task<IResult> FailureRatesAsync(HttpContext context, IClusterClient cluster)
    {
        if (ReadPeriod(context, TrendPeriod.Days7) is not { } period)
        {
            return BadPeriod(context);
        }
        return TypedResults.Ok(await cluster.GetGrain<ITrendQueryGrain>(0).GetFailureRatesAsync(period));
    }

    /// <summary><c>?period=</c>, or the fallback when it is absent; null when it names no period.</summary>
    private static TrendPeriod? ReadPeriod(HttpContext context, TrendPeriod fallback)
    {
        var text = context.Request.Query["period"].ToString();
        return text.Length == 0 ? fallback : TrendPeriods.TryParse(text, out var period) ? period : null;
    }

    private static IResult BadPeriod(HttpContext context) =>
        Problems.Invalid(context, "period",
            $"period must be one of {TrendPeriods.Names}; got '{JobEndpoints.Shorten(context.Request.Query["period"].ToString())}'.");
}
