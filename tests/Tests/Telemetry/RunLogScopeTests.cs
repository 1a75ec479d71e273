using Microsoft.Extensions.Logging;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Telemetry.Infrastructure;

namespace Totallator.Tests.Telemetry;

/// <summary>Every line a run writes carries the run's scope, as a structured sink (ISupportExternalScope) sees it.</summary>
[Collection(TelemetryClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed partial class RunLogScopeTests(TelemetryClusterFixture fixture)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task LinesOfARunAndItsRetry_CarryJobSlugExecutionIdAndOccurrence()
    {
        const string slug = "t-tel-scope";
        var c = fixture.Cluster;
        TestJobs.Set(slug, ctx =>
        {
            LogJobSaysHi(ctx.Logger, ctx.RetryCount);
            return ctx.RetryCount == 0 ? throw new InvalidOperationException("first attempt fails") : Task.FromResult(CronJobResult.Succeeded());
        });
        await c.Job(slug).UpdateConfigAsync(new JobConfigChange { MaxRetries = 1, ChangedBy = "test" });

        await c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "ops" });
        var rows = await c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "failing once, then succeeding");
        Assert.Equal(2, rows.Count);
        var ids = rows.Select(r => r.Id).ToList();
        // The attempt runner logs the success at Debug right before the row is written; give the last line a moment.
        await TelemetryCapture.WaitUntilAsync(() => LinesAbout(ids[1]).Any(l => l.EventId.Id == 2102), Wait, "the success line of the retry");

        // The job's own lines: one per attempt, each with that attempt's execution.
        var jobLines = CapturingLoggerProvider.Lines.Where(l => l.Category == $"Totallator.Jobs.{slug}" && l.EventId.Id == 9001).ToList();
        Assert.Equal(2, jobLines.Count);
        Assert.Equal(ids, jobLines.OrderBy(l => l.Message, StringComparer.Ordinal).Select(l => (Guid)l.Scope("ExecutionId")!));
        // Every line of the scheduler that names one of the attempts: the grain's run start (once per occurrence), the attempt
        // runner's start and end.
        Assert.Contains(LinesAbout(ids[0]), l => l.EventId.Id == 2005);
        foreach (var (id, row) in ids.Zip(rows))
        {
            var lines = LinesAbout(id);
            Assert.Contains(lines, l => l.EventId.Id == 2101);
            Assert.Contains(lines, l => l.EventId.Id is 2102 or 2103);
            Assert.All(lines.Concat(jobLines.Where(l => (Guid)l.Scope("ExecutionId")! == id)), l =>
            {
                Assert.Equal(slug, l.Scope("JobSlug"));
                Assert.Equal(id, l.Scope("ExecutionId"));
                Assert.Equal(row.OccurrenceKey, l.Scope("OccurrenceKey"));
                // The database keeps microseconds; the scope has the claim's own instant.
                Assert.InRange(((DateTimeOffset)l.Scope("ScheduledFor")! - row.ScheduledFor).Duration().Ticks, 0, 10);
            });
        }
    }

    private static List<CapturedLine> LinesAbout(Guid executionId) =>
        CapturingLoggerProvider.Lines.Where(l => l.Category.StartsWith("Totallator", StringComparison.Ordinal)
            && l.Message.Contains(executionId.ToString(), StringComparison.Ordinal)).ToList();

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "job says hi from attempt {RetryCount}")]
    private static partial void LogJobSaysHi(ILogger logger, int retryCount);
}
