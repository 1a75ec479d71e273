using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Telemetry.Infrastructure;

namespace Totallator.Tests.Telemetry;

/// <summary>The scheduler's metrics, as an exporter collects them from a silo on PostgreSQL, checked against the rows they describe.</summary>
[Collection(TelemetryClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class SchedulerMetricsTests(TelemetryClusterFixture fixture)
{
    private const string Ended = "totallator.scheduler.run.ended";
    private const string Duration = "totallator.scheduler.run.duration";
    private const string Lateness = "totallator.scheduler.firing.lateness";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly PostgresCluster _c = fixture.Cluster;
    private readonly TelemetryCapture _capture = fixture.Capture;

    [Fact]
    public async Task ScheduledRuns_RecordOutcomeDurationAndLateness_MatchingTheirRows()
    {
        const string slug = "t-tel-ok";
        TestJobs.Set(slug, async _ =>
        {
            await Task.Delay(60);
            return CronJobResult.Succeeded("ok");
        });
        await _c.EnableAsync(slug);
        await _c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Succeeded) >= 3, Wait, "firing every second");
        await _c.EnableAsync(slug, false);
        var rows = await _c.WaitForRowsAsync(slug, r => r.All(x => !x.Status.IsActive()), Wait, "settling after disable");

        Assert.All(rows, r => Assert.Equal((ExecutionStatus.Succeeded, TriggerSource.Scheduler), (r.Status, r.TriggeredBy)));
        var ended = _capture.Of(Ended, slug);
        Assert.Equal(rows.Count, ended.Count);
        Assert.All(ended, m => Assert.Equal(("succeeded", "scheduler", 1.0), (m.Tag("outcome"), m.Tag("trigger"), m.Value)));

        // The histogram gets the attempt's wall time; the row keeps it in whole milliseconds.
        var durations = _capture.Of(Duration, slug).Select(m => m.Value * 1000).Order().ToList();
        var rowDurations = rows.Select(r => (double)r.DurationMs!.Value).Order().ToList();
        Assert.Equal(rowDurations.Count, durations.Count);
        Assert.All(durations.Zip(rowDurations), p => Assert.InRange(p.First - p.Second, 0, 1));
        // Timers may fire a few milliseconds early; what matters is that the wait is in the figure.
        Assert.All(durations, d => Assert.True(d >= 50, $"a run that waits 60 ms measured {d} ms"));

        // Lateness is the row's started − scheduled, to the microsecond the database keeps.
        var lateness = _capture.Of(Lateness, slug);
        Assert.All(lateness, m => Assert.Equal("scheduler", m.Tag("trigger")));
        var measured = lateness.Select(m => m.Value).Order().ToList();
        var fromRows = rows.Select(r => (r.StartedAt!.Value - r.ScheduledFor).TotalSeconds).Order().ToList();
        Assert.Equal(fromRows.Count, measured.Count);
        Assert.All(measured.Zip(fromRows), p => Assert.InRange(Math.Abs(p.First - p.Second), 0, 0.000_01));
        Assert.All(measured, s => Assert.InRange(s, 0, 0.5));
    }

    [Fact]
    public async Task FailedRunWithRetries_CountsEveryAttemptAndRetry_AndRunsActiveRisesAndFalls()
    {
        const string slug = "t-tel-retry";
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        TestJobs.Set(slug, async ctx =>
        {
            if (ctx.RetryCount == 0)
            {
                await gate.Task;
            }
            throw new InvalidOperationException($"attempt {ctx.RetryCount} fails on purpose");
        });
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { MaxRetries = 2, ChangedBy = "test" });
        var active = _capture.OfMeter("totallator.scheduler.run.active", fixture.SiloMeters);
        var activeBefore = active.Sum(m => m.Value);

        await _c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "ops" });
        await TelemetryCapture.WaitUntilAsync(
            () => _capture.OfMeter("totallator.scheduler.run.active", fixture.SiloMeters).Sum(m => m.Value) == activeBefore + 1,
            Wait, $"{slug}: runs in progress while attempt 0 waits");
        gate.SetResult();
        var rows = await _c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Failed) == 3, Wait, "three failed attempts");
        await TelemetryCapture.WaitUntilAsync(
            () => _capture.OfMeter("totallator.scheduler.run.active", fixture.SiloMeters).Sum(m => m.Value) == activeBefore,
            Wait, $"{slug}: runs in progress back to where they were after the last attempt");

        Assert.Equal([TriggerSource.Manual, TriggerSource.Retry, TriggerSource.Retry], rows.Select(r => r.TriggeredBy));
        var ended = _capture.Of(Ended, slug).Select(m => (m.Tag("outcome"), m.Tag("trigger"))).Order().ToList();
        Assert.Equal([("failed", "manual"), ("failed", "retry"), ("failed", "retry")], ended);
        Assert.Equal(3, _capture.Of(Duration, slug).Count);
        Assert.Equal(2, _capture.Of("totallator.scheduler.run.retries", slug).Sum(m => m.Value));
        // A manual run is due when asked: no lateness series for it.
        Assert.Empty(_capture.Of(Lateness, slug));
    }

    [Fact]
    public async Task OccurrencesDueWhileTheRunGoesOn_AreCountedSkippedForOverlap_OnePerRow()
    {
        const string slug = "t-tel-overlap";
        TestJobs.Set(slug, async ctx =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(2300), ctx.CancellationToken);
            return CronJobResult.Succeeded();
        });
        await _c.EnableAsync(slug);
        await _c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Skipped) >= 2, Wait, "skipping while the run goes on");
        await _c.EnableAsync(slug, false);
        var rows = await _c.WaitForRowsAsync(slug, r => r.All(x => !x.Status.IsActive()), Wait, "settling after disable");

        var skippedRows = rows.Where(r => r.Status == ExecutionStatus.Skipped).ToList();
        Assert.All(skippedRows, r => Assert.StartsWith("overlap:", r.StatusReason, StringComparison.Ordinal));
        var skipped = _capture.Of("totallator.scheduler.occurrence.skipped", slug);
        Assert.All(skipped, m => Assert.Equal("overlap", m.Tag("reason")));
        Assert.Equal(skippedRows.Count, skipped.Sum(m => m.Value));
        Assert.Empty(_capture.Of("totallator.scheduler.occurrence.missed", slug));
    }

    [Fact]
    public async Task AnOccurrenceHeldByAnotherClaimant_CountsAClaimConflict_AndItsExpiredLeaseAnAbandonedRun()
    {
        const string slug = "t-tel-conflict";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded()));
        var job = (await _c.Store.GetJobAsync(slug, CancellationToken.None))!;
        // Another claimant (a silo that then died) holds an occurrence 4 s ahead, with a lease that expires before then.
        var now = DateTimeOffset.UtcNow;
        var held = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(4);
        var claimed = await _c.Store.TryClaimAsync(new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = Grains.Scheduling.OccurrenceKeys.Scheduled(held),
            ScheduledFor = held, StartedAt = null, TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = "S-dead-silo",
            LeaseDuration = TimeSpan.FromSeconds(2), AdvancesSchedule = false,
        }, CancellationToken.None);
        Assert.True(claimed, "the test's own claim of a future occurrence must succeed");
        var abandonedBefore = _capture.OfMeter("totallator.scheduler.run.abandoned", fixture.SiloMeters).Sum(m => m.Value);

        await _c.EnableAsync(slug);
        await _c.WaitForRowsAsync(slug, r => r.Any(x => x.ScheduledFor > held && x.Status == ExecutionStatus.Succeeded), Wait, "running past the held occurrence");
        await _c.EnableAsync(slug, false);
        var rows = await _c.WaitForRowsAsync(slug, r => r.All(x => !x.Status.IsActive()), Wait, "settling after disable");

        Assert.Equal(ExecutionStatus.Abandoned, rows.Single(r => r.ScheduledFor == held).Status);
        var conflicts = _capture.Of("totallator.scheduler.claim.conflicts", slug);
        Assert.Single(conflicts);
        Assert.True(conflicts[0].Tag("stage") is "ahead" or "at-instant", $"stage was {conflicts[0].Tag("stage")}");
        Assert.Equal(abandonedBefore + 1, _capture.OfMeter("totallator.scheduler.run.abandoned", fixture.SiloMeters).Sum(m => m.Value));
    }
}
