using System.Diagnostics;
using System.Globalization;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Telemetry.Infrastructure;

namespace Totallator.Tests.Telemetry;

/// <summary>The trace of an occurrence: one activity for it, one child per attempt.</summary>
[Collection(TelemetryClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class SchedulerTracingTests(TelemetryClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AnOccurrenceThatFailsThenRetries_IsOneActivityWithAChildPerAttempt()
    {
        const string slug = "t-tel-trace";
        var c = fixture.Cluster;
        TestJobs.Set(slug, ctx => ctx.RetryCount < 2
            ? throw new InvalidOperationException("not yet")
            : Task.FromResult(CronJobResult.Succeeded()));
        await c.Job(slug).UpdateConfigAsync(new JobConfigChange { MaxRetries = 2, ChangedBy = "test" });

        await c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "ops" });
        var rows = await c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "failing twice, then succeeding");
        await TelemetryCapture.WaitUntilAsync(() => fixture.Capture.Activities(SchedulerActivities.OccurrenceName, slug).Count == 1, Wait,
            $"{slug}: the occurrence activity stops after its last attempt is recorded");

        var occurrence = fixture.Capture.Activities(SchedulerActivities.OccurrenceName, slug).Single();
        var attempts = fixture.Capture.Activities(SchedulerActivities.AttemptName, slug).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal((occurrence.TraceId, occurrence.SpanId), (a.TraceId, a.ParentSpanId)));
        Assert.Equal([0, 1, 2], attempts.Select(a => (int)a.GetTagItem("totallator.retry.count")!));
        Assert.Equal(rows.Select(r => r.Id.ToString()), attempts.Select(a => (string)a.GetTagItem("totallator.execution.id")!));
        Assert.Equal(["failed", "failed", "succeeded"], attempts.Select(a => (string)a.GetTagItem("totallator.outcome")!));
        Assert.Equal([ActivityStatusCode.Error, ActivityStatusCode.Error, ActivityStatusCode.Ok], attempts.Select(a => a.Status));
        Assert.Equal(["manual", "retry", "retry"], attempts.Select(a => (string)a.GetTagItem("totallator.trigger")!));

        // The database keeps microseconds; the tags have the claim's own instant.
        Assert.All(attempts.Append(occurrence), a => Assert.InRange(
            (DateTimeOffset.Parse((string)a.GetTagItem("totallator.occurrence.scheduled_for")!, CultureInfo.InvariantCulture) - rows[0].ScheduledFor).Duration().Ticks, 0, 10));
        Assert.Equal(rows[0].OccurrenceKey, occurrence.GetTagItem("totallator.occurrence.key"));
        Assert.Equal(("succeeded", 3), ((string)occurrence.GetTagItem("totallator.outcome")!, (int)occurrence.GetTagItem("totallator.attempts")!));
        Assert.True(occurrence.StartTimeUtc <= attempts[0].StartTimeUtc && occurrence.StartTimeUtc + occurrence.Duration >= attempts[2].StartTimeUtc + attempts[2].Duration,
            "the occurrence spans its attempts");
    }
}
