using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Telemetry.Infrastructure;

namespace Totallator.Tests.Telemetry;

/// <summary>
/// Attempts that ignore their cancellation are bounded per job (<c>Cron:Scheduler:MaxAttemptsLeftRunningPerJob</c>, 2 by default):
/// at the bound the next occurrences are recorded skipped, the gauge shows how many are left running, and the job runs again
/// once they end. A real silo on PostgreSQL; the stuck job blocks on a gate the test opens.
/// </summary>
[Collection(TelemetryClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class AttemptsLeftRunningTests(TelemetryClusterFixture fixture)
{
    private const string Gauge = "totallator.scheduler.run.left-running";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly PostgresCluster _c = fixture.Cluster;
    private readonly TelemetryCapture _capture = fixture.Capture;

    [Fact]
    public async Task AtTheBound_OccurrencesAreSkippedWithTheirReason_AndTheJobRunsAgainOnceTheStuckAttemptsEnd()
    {
        const string slug = "t-tel-stuck";
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Ignores its token: every attempt outlives its timeout (300 ms) and grace (1 s) until the gate opens.
        TestJobs.Set(slug, async _ =>
        {
            await gate.Task;
            return CronJobResult.Succeeded("released");
        });
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { TimeoutMs = 300, ChangedBy = "test" });
        IReadOnlyList<ExecutionRecord> rows;
        try
        {
            await _c.EnableAsync(slug);
            rows = await _c.WaitForRowsAsync(slug, r => r.Count(IsLeftRunningSkip) >= 2, Wait, "skipping at the bound");
            Assert.Equal(2, _capture.Observe(Gauge, slug));
            // A manual run would leave a third behind: refused unless the admin overrides.
            var refused = await _c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "ops" });
            Assert.False(refused.Started);
            Assert.Contains("2 attempts still running after they ignored their cancellation", refused.RefusalReason, StringComparison.Ordinal);
        }
        finally
        {
            gate.TrySetResult();
        }

        var timedOut = rows.Where(r => r.Status == ExecutionStatus.TimedOut).ToList();
        Assert.Equal(2, timedOut.Count);
        Assert.All(timedOut, r => Assert.Contains("ignored cancellation", r.ErrorMessage, StringComparison.Ordinal));
        // Nothing ran past the bound: every occurrence after the second stuck attempt was skipped (or is claimed ahead of its instant).
        var firstSkip = rows.First(IsLeftRunningSkip);
        Assert.True(firstSkip.ScheduledFor > timedOut.Max(r => r.ScheduledFor));
        Assert.All(rows.Where(r => r.ScheduledFor > firstSkip.ScheduledFor),
            r => Assert.Contains(r.Status, new[] { ExecutionStatus.Skipped, ExecutionStatus.Claimed }));
        Assert.Equal(2, TestJobs.InvocationsOf(slug).Count(i => i.ScheduledFor <= firstSkip.ScheduledFor));
        Assert.Contains("2 attempts of this job ignored cancellation and are still running", firstSkip.StatusReason, StringComparison.Ordinal);
        var skipped = _capture.Of("totallator.scheduler.occurrence.skipped", slug).Where(m => m.Tag("reason") == "attempts-left-running");
        Assert.Equal(rows.Count(IsLeftRunningSkip), skipped.Sum(m => m.Value));

        // The gate is open: the stuck attempts end, the count falls to zero, and the next occurrences run.
        var after = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "running again");
        await _c.EnableAsync(slug, false);
        Assert.Equal("released", after.First(r => r.Status == ExecutionStatus.Succeeded).Output);
        Assert.Equal(0, _capture.Observe(Gauge, slug));
    }

    private static bool IsLeftRunningSkip(ExecutionRecord row) =>
        row.Status == ExecutionStatus.Skipped && row.StatusReason?.StartsWith("attempts-left-running:", StringComparison.Ordinal) == true;
}
