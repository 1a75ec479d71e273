using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>Jobs created from a job type on the shared 2-silo PostgreSQL cluster (issue 14): scheduled at once, run by their type.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class ApiJobTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private IJobQueryGrain Query => _c.Client.GetGrain<IJobQueryGrain>(0);

    [Fact]
    public async Task AJobCreatedFromAType_RunsEverySecondWithItsParameters_AndStopsWhenDeleted()
    {
        const string slug = "t-typed-run";
        var view = await Query.CreateJobAsync(slug, new JobCreation
        {
            Type = TestJobTypes.Name, Name = "Typed run", Schedule = "* * * * * *", TimeZone = "Europe/Berlin", TimeoutMs = 5000, MaxRetries = 1,
            MisfirePolicy = MisfirePolicy.Skip, ParametersJson = """{"label":"z","repeat":3}""", CreatedBy = "typed-test",
        });
        Assert.Equal(("api", TestJobTypes.Name), (view.Source, view.JobType));
        var rows = await _c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Succeeded) >= 2, Wait,
            $"runs of the new job ({await _c.Job(slug).GetSnapshotAsync()})");
        Assert.All(rows.Where(r => r.Status == ExecutionStatus.Succeeded), r => Assert.Equal(("zzz", 3L), (r.Output, r.ItemsProcessed)));

        var deleted = await Query.DeleteJobAsync(slug, new JobDeletion { DeletedBy = "typed-test" });
        Assert.NotNull(deleted.DeletedAt);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var after = await _c.RowsAsync(slug);
        Assert.DoesNotContain(after, r => r.ScheduledFor > deleted.DeletedAt!.Value.AddSeconds(1));
        Assert.DoesNotContain(after, r => r.Status is ExecutionStatus.Claimed or ExecutionStatus.Running);
        // Only a claim made ahead for an instant after the delete is gone (withdrawn); every run stays in the history.
        Assert.True(after.Count(r => r.Status == ExecutionStatus.Succeeded) >= rows.Count(r => r.Status == ExecutionStatus.Succeeded));
    }
}
