using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>Jobs that run after other jobs, on the shared 2-silo cluster on PostgreSQL (issue 14).</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class DependencyTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private IJobQueryGrain Query => _c.Client.GetGrain<IJobQueryGrain>(0);

    [Fact]
    public async Task AFanInOfTwo_RunsOnceBothSignalled_NamingTheLatestOfEach()
    {
        foreach (var slug in new[] { "t-fan-x", "t-fan-y", "t-fan-z" })
        {
            TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("ok")));
            await _c.EnableAsync(slug);
        }
        var x1 = await TriggerAndWaitAsync("t-fan-x");
        var x2 = await TriggerAndWaitAsync("t-fan-x");
        var waiting = await Query.GetJobAsync("t-fan-z");
        Assert.Equal([true, false], waiting.Upstreams.Select(u => u.Signalled));
        Assert.All(waiting.Upstreams, u => Assert.Null(u.Broken));
        Assert.Empty(await _c.RowsAsync("t-fan-z"));

        var y1 = await TriggerAndWaitAsync("t-fan-y");
        var rows = await _c.WaitForRowsAsync("t-fan-z", r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "the fan-in running");
        await Task.Delay(1500);
        rows = await _c.RowsAsync("t-fan-z");
        var run = Assert.Single(rows);
        Assert.Equal(TriggerSource.Dependency, run.TriggeredBy);
        Assert.Equal(new[] { x2.Id, y1.Id }.Order(), run.UpstreamExecutionIds!.Order());
        Assert.DoesNotContain(x1.Id, run.UpstreamExecutionIds!);
        Assert.Contains("1 earlier upstream run absorbed", run.StatusReason, StringComparison.Ordinal);
        Assert.True(SiloClocks.NotBefore(run.StartedAt, y1.CompletedAt), $"the downstream started {run.StartedAt:O}, before its last upstream ended {y1.CompletedAt:O}");

        var details = (await Query.GetExecutionAsync(run.Id))!;
        Assert.Equal(["t-fan-x", "t-fan-y"], details.UpstreamRuns.Select(l => l.JobSlug));
        var upstream = (await Query.GetExecutionAsync(y1.Id))!;
        var link = Assert.Single(upstream.DownstreamRuns);
        Assert.Equal(("t-fan-z", run.Id), (link.JobSlug, link.ExecutionId!.Value));
        Assert.Equal([new DownstreamView("t-fan-z", DependencyCondition.Success)], (await Query.GetJobAsync("t-fan-x")).Downstreams);
        Assert.Equal([false, false], (await Query.GetJobAsync("t-fan-z")).Upstreams.Select(u => u.Signalled));
    }

    [Fact]
    public async Task AnUpstreamWithRetries_SignalsOnlyAtItsFinalAttempt_ByCondition()
    {
        const string up = "t-dep-retry-up";
        var attempts = 0;
        TestJobs.Set(up, _ => Task.FromResult(Interlocked.Increment(ref attempts) <= 2 ? CronJobResult.Failure("not yet") : CronJobResult.Succeeded("third time")));
        foreach (var slug in TestJobs.Dependent.Where(d => d.Value.After[0].StartsWith(up, StringComparison.Ordinal)).Select(d => d.Key).Append(up))
        {
            await _c.EnableAsync(slug);
        }
        var trigger = await _c.Job(up).TriggerAsync(new TriggerRequest { UserId = "dep-test" });
        var ups = await _c.WaitForRowsAsync(up, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "the upstream's third attempt");
        Assert.Equal(3, ups.Count);
        var final = ups.Single(r => r.RetryCount == 2);
        var downs = await _c.WaitForRowsAsync("t-dep-retry-down", r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "on completion");
        var ok = await _c.WaitForRowsAsync("t-dep-ok-down", r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "on success");
        await Task.Delay(1500);
        Assert.Equal([final.Id], Assert.Single(await _c.RowsAsync("t-dep-retry-down")).UpstreamExecutionIds!);
        Assert.Equal([final.Id], Assert.Single(await _c.RowsAsync("t-dep-ok-down")).UpstreamExecutionIds!);
        // Two attempts failed, but the occurrence succeeded: on failure signals nothing.
        Assert.Empty(await _c.RowsAsync("t-dep-fail-down"));
        Assert.True(trigger.Started);
        Assert.Single(downs);
        Assert.Single(ok);
    }

    [Fact]
    public async Task ACycleOrAnUnknownUpstream_IsRefused_AndNothingIsStored()
    {
        var before = await Query.GetJobAsync("t-dep-a");
        var cycle = await Assert.ThrowsAsync<InvalidJobConfigurationException>(() => _c.Job("t-dep-a").UpdateConfigAsync(
            new JobConfigChange { ChangedBy = "dep-test", After = [new Upstream("t-dep-c")] }));
        Assert.Equal("after", cycle.Field);
        Assert.Contains("t-dep-a → t-dep-b → t-dep-c → t-dep-a", cycle.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<InvalidJobConfigurationException>(() => _c.Job("t-dep-a").UpdateConfigAsync(
            new JobConfigChange { ChangedBy = "dep-test", After = [new Upstream("t-no-such-job")] }));
        Assert.Equal("after", unknown.Field);
        Assert.Contains("'t-no-such-job'", unknown.Message, StringComparison.Ordinal);
        var after = await Query.GetJobAsync("t-dep-a");
        Assert.Equal(before.Version, after.Version);
        Assert.Empty(after.Upstreams);
        Assert.DoesNotContain(JobFields.After, after.OverriddenFields);
    }

    private async Task<ExecutionRecord> TriggerAndWaitAsync(string slug)
    {
        var result = await _c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "dep-test" });
        Assert.True(result.Started, result.RefusalReason);
        var rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Id == result.ExecutionId && x.Status == ExecutionStatus.Succeeded), Wait, $"{slug} ending");
        return rows.Single(x => x.Id == result.ExecutionId);
    }
}
