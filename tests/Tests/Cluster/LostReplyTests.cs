using Totallator.Grains.Interfaces.Jobs;
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
            Assert.True(row.Status == ExecutionStatus.Succeeded, $"{row.Status} {row.StatusReason} {row.ErrorMessage}");
            Assert.NotNull(row.StartedAt);
            Assert.Single(rows, r => r.OccurrenceKey == row.OccurrenceKey);
            Assert.Single(TestJobs.InvocationsOf(slug), i => i.ExecutionId == lost);
        }
        finally
        {
            await _c.EnableAsync(slug, false);
        }
    }
}
