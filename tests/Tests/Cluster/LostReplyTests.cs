using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// A claim that committed but whose reply was lost (the connection dropped after the commit). The grain retries the tick; the
/// occurrence must run, once, by the claimant, not stay claimed until its lease expires and end abandoned without running.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class LostReplyTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;

    [Fact]
    public async Task AClaimWhoseReplyWasLost_RunsOnce_AndEndsSucceeded()
    {
        const string slug = "t-lost-reply";
        var job = (await _c.Store.GetJobAsync(slug, CancellationToken.None))!;
        var lostBefore = LostReplies.Lost.ToHashSet();
        LostReplies.LoseNextClaimReply(job.Id);
        await _c.EnableAsync(slug);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            Guid lost;
            while ((lost = LostReplies.Lost.FirstOrDefault(id => !lostBefore.Contains(id))) == Guid.Empty)
            {
                Assert.True(DateTime.UtcNow < deadline, "no claim of the job lost its reply");
                await Task.Delay(100);
            }
            // Lease 4 s, sweep 1 s: before the fix the row was abandoned by then, and another claim of the occurrence lost.
            var rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Id == lost && !x.Status.IsActive()), TimeSpan.FromSeconds(20), "the lost claim's row ends");
            var row = rows.Single(r => r.Id == lost);
            Assert.True(row.Status == ExecutionStatus.Succeeded, $"{row.Status} {row.StatusReason} {row.ErrorMessage}; rows: "
                + string.Join(" | ", rows.Select(r => $"{r.OccurrenceKey} {r.Id} {r.Status} {r.TriggeredBy} {r.StartedAt:HH:mm:ss.fff}"))
                + "; invocations: " + string.Join(", ", TestJobs.InvocationsOf(slug).Select(i => i.ExecutionId)));
            Assert.NotNull(row.StartedAt);
            Assert.Single(rows, r => r.OccurrenceKey == row.OccurrenceKey);
            Assert.Single(TestJobs.InvocationsOf(slug), i => i.ExecutionId == lost);
        }
        finally
        {
            await _c.EnableAsync(slug, false);
        }
    }

    /// <summary>
    /// A retry's claim that committed but whose reply was lost: the run asks again with the same id and runs the retry. Before,
    /// the run gave up, and the retry's row, inserted running with a start, stayed open with no run behind it until it ended
    /// abandoned.
    /// </summary>
    [Fact]
    public async Task ARetryWhoseClaimReplyWasLost_IsAskedAgain_AndRuns()
    {
        const string slug = "t-retry-lost";
        TestJobs.Set(slug, ctx => ctx.RetryCount == 0
            ? throw new InvalidOperationException("the first attempt fails on purpose")
            : Task.FromResult(CronJobResult.Succeeded("the retry ran")));
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { MaxRetries = 1, ChangedBy = "test" });
        var job = (await _c.Store.GetJobAsync(slug, CancellationToken.None))!;
        var lostBefore = LostReplies.Lost.ToHashSet();

        // A manual trigger records its claim through the admin store: the job's next claim is its retry's.
        LostReplies.LoseNextClaimReply(job.Id);
        var trigger = await _c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "ops" });

        var rows = await _c.WaitForRowsAsync(slug, r => r.Count == 2 && r.All(x => !x.Status.IsActive()), TimeSpan.FromSeconds(20), "both attempts end");
        var retry = rows.Single(r => r.RetryCount == 1);
        Assert.Equal((ExecutionStatus.Failed, trigger.ExecutionId), (rows.Single(r => r.RetryCount == 0).Status, rows.Single(r => r.RetryCount == 0).Id));
        Assert.Equal(ExecutionStatus.Succeeded, retry.Status);
        Assert.NotNull(retry.StartedAt);
        Assert.Contains(retry.Id, LostReplies.Lost.Except(lostBefore));
        Assert.Single(TestJobs.InvocationsOf(slug), i => i.ExecutionId == retry.Id);
    }

    /// <summary>
    /// A run's end that cannot be written for a while (the database down just as it ended): the job is done, so the occurrences
    /// that fall due meanwhile run. Before the fix they were skipped as overlaps of a run that had already ended (the fault
    /// suite's database restart: run_all catch-ups all skipped behind an end that was still being retried).
    /// </summary>
    [Fact]
    public async Task AnEndStillBeingWritten_DoesNotTurnTheNextOccurrencesIntoOverlaps()
    {
        const string slug = "t-end-pending";
        var held = TimeSpan.FromSeconds(4);
        var first = Guid.Empty;
        var heldUntil = DateTimeOffset.MaxValue;
        TestJobs.Set(slug, context =>
        {
            if (first == Guid.Empty)
            {
                heldUntil = DateTimeOffset.UtcNow + held;
                first = context.ExecutionId;
                LostReplies.FailEndsUntil(first, heldUntil);
            }
            return Task.FromResult(CronJobResult.Succeeded("ends at once", 1));
        });
        await _c.EnableAsync(slug);
        try
        {
            var rows = await _c.WaitForRowsAsync(slug, r => first != Guid.Empty && r.Any(x => x.Id == first && !x.Status.IsActive())
                && r.Any(x => x.ScheduledFor > heldUntil && !x.Status.IsActive()), TimeSpan.FromSeconds(30), "the held end is written and a later occurrence ends");
            var held1 = rows.Single(r => r.Id == first);
            Assert.Equal(ExecutionStatus.Succeeded, held1.Status);
            // Every second's occurrence while the end was held (a second of slack at each side for the timer and the retry).
            var during = rows.Where(r => r.ScheduledFor > held1.ScheduledFor.AddSeconds(1) && r.ScheduledFor < heldUntil.AddSeconds(-1)).ToList();
            Assert.True(during.Count >= 2, $"expected the occurrences of the {held.TotalSeconds:0} s the end was held; rows: {Describe(rows)}");
            Assert.True(during.All(r => r.Status == ExecutionStatus.Succeeded),
                $"occurrences due while an ended run's end was being written should run: {Describe(during)}");
        }
        finally
        {
            await _c.EnableAsync(slug, false);
        }
    }

    private static string Describe(IEnumerable<Grains.Storage.ExecutionRecord> rows) =>
        string.Join(" | ", rows.OrderBy(r => r.ScheduledFor).Select(r => $"{r.ScheduledFor:HH:mm:ss.fff} {r.Status} {r.StatusReason}"));
}
