using System.Diagnostics;
using System.Net;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Telemetry.Infrastructure;

namespace Totallator.Tests.Telemetry;

/// <summary>The AdminApi's telemetry over HTTP: the Prometheus scrape endpoint, and a request's trace reaching the grains.</summary>
[Collection(AdminApiCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class MetricsEndpointTests(AdminApiFixture api)
{
    [Fact]
    public async Task MetricsAnswerWithoutAKey_InPrometheusTextFormat_WhileTheApiStillNeedsOne()
    {
        using var anonymous = api.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/cron/jobs", UriKind.Relative))).StatusCode);

        using var response = await anonymous.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", body, StringComparison.Ordinal);
        // The refused request above, counted by ASP.NET Core's own meter.
        Assert.Contains("http_response_status_code=\"401\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestsTrace_ContinuesIntoTheOccurrenceItTriggers()
    {
        const string slug = "t-tel-api";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded()));
        var occurrences = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == SchedulerInstruments.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.OperationName == SchedulerActivities.OccurrenceName && (string?)a.GetTagItem("totallator.job.slug") == slug)
                {
                    lock (occurrences)
                    {
                        occurrences.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var traceId = ActivityTraceId.CreateRandom();
        using var client = api.ClientFor("operator");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/cron/jobs/{slug}/trigger", UriKind.Relative))
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");

        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await api.Cluster.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), TimeSpan.FromSeconds(20), "the triggered run");
        await TelemetryCapture.WaitUntilAsync(() => { lock (occurrences) { return occurrences.Count > 0; } }, TimeSpan.FromSeconds(10),
            $"{slug}: the occurrence activity stops");

        Activity occurrence;
        lock (occurrences)
        {
            occurrence = Assert.Single(occurrences);
        }
        // HTTP request → Orleans client call → grain call on the silo → the occurrence: one trace.
        Assert.Equal(traceId, occurrence.TraceId);
        Assert.Equal("manual", occurrence.GetTagItem("totallator.trigger"));
    }
}
