using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>The circuit breaker on the shared 2-silo PostgreSQL cluster: a job failing every second pauses itself.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class BreakerTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;

    [Fact]
    public async Task AfterThreeFailedOccurrences_TheJobPausesItself_AuditedAsSystem_AndResumingStartsAfresh()
    {
        const string slug = "t-breaker";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Failure("upstream API answered 500")));
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { PauseAfterFailures = 3, IsEnabled = true, ChangedBy = "breaker-test" });

        var query = _c.Client.GetGrain<IJobQueryGrain>(0);
        JobView view = await query.GetJobAsync(slug);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (view.IsEnabled && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(200);
            view = await query.GetJobAsync(slug);
        }
        Assert.False(view.IsEnabled, "the breaker never opened");
        Assert.Equal((3, 3), (view.PauseAfterFailures, view.FailureStreak));
        Assert.Contains("3 failed occurrences in a row (its circuit breaker opens at 3)", view.PausedReason, StringComparison.Ordinal);

        // Nothing runs after the pause: exactly the three failures (no claim ahead left to start).
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        var rows = await _c.RowsAsync(slug);
        Assert.Equal(3, rows.Count(r => r.Status == ExecutionStatus.Failed));
        Assert.DoesNotContain(rows, r => r.Status is ExecutionStatus.Claimed or ExecutionStatus.Running or ExecutionStatus.Succeeded);

        var audit = await query.GetAuditAsync(new AuditQuery { JobSlug = slug, Limit = 20 });
        var opened = Assert.Single(audit.Items, a => a.Action == "job.breaker-open");
        Assert.Equal("system", opened.Actor);
        using var values = System.Text.Json.JsonDocument.Parse(opened.NewValuesJson!);
        Assert.False(values.RootElement.GetProperty("isEnabled").GetBoolean());
        Assert.Equal(view.PausedReason, values.RootElement.GetProperty("pausedReason").GetString());

        // An operator resumes it: the reason and the streak are cleared, and it runs again.
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("fixed")));
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { IsEnabled = true, ChangedBy = "operator" });
        var resumed = await query.GetJobAsync(slug);
        Assert.Equal((true, null, 0), (resumed.IsEnabled, resumed.PausedReason, resumed.FailureStreak));
        await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), TimeSpan.FromSeconds(10), "a run after resuming");
        await _c.EnableAsync(slug, false);
    }

    [Fact]
    public async Task AStreakCountedWhileNoSiloCheckedTheBreaker_PausesTheJobWhenItIsNextPlanned()
    {
        const string slug = "t-breaker-load";
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { PauseAfterFailures = 2, IsEnabled = true, ChangedBy = "breaker-test" });
        // Two failures ended by statements of a silo that died before it checked the breaker (or by the sweeper).
        await using (var db = Npgsql.NpgsqlDataSource.Create(_c.ConnectionString))
        await using (var cmd = db.CreateCommand("UPDATE cronJob SET failureStreak = 2 WHERE slug = 't-breaker-load'"))
        {
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        await _c.Job(slug).ReloadAsync();

        var view = await _c.Client.GetGrain<IJobQueryGrain>(0).GetJobAsync(slug);
        Assert.False(view.IsEnabled);
        Assert.Contains("2 failed occurrences in a row", view.PausedReason, StringComparison.Ordinal);
        Assert.Equal("system", view.LastModifiedBy);
    }
}
