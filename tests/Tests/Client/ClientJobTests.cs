using System.Diagnostics;
using Totallator.Client;
using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Client;

/// <summary>Totallator.Client against the real AdminApi on the 2-silo PostgreSQL cluster: jobs, triggers, waits, edits, refusals.</summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class ClientJobTests(AdminApiFixture api) : IDisposable
{
    private readonly (TotallatorClient Client, HttpClient Http) _viewer = ClientFactory.For(api, "viewer");
    private readonly (TotallatorClient Client, HttpClient Http) _operator = ClientFactory.For(api, "operator");
    private readonly (TotallatorClient Client, HttpClient Http) _admin = ClientFactory.For(api, "admin");

    [Fact]
    public async Task ListShowEnableAndDisableRoundTrip()
    {
        const string slug = "t-client-toggle";
        var listed = Assert.Single((await _viewer.Client.ListJobsAsync(new JobListQuery { Search = slug })).Items);
        Assert.Equal((slug, "0 0 1 1 *", false), (listed.Slug, listed.Schedule, listed.IsEnabled));

        var enabled = await _operator.Client.EnableJobAsync(slug);
        Assert.True(enabled.IsEnabled);
        Assert.Equal(5, enabled.NextFireTimes.Count);
        var shown = await _viewer.Client.GetJobAsync(slug);
        Assert.Equal((true, enabled.Version), (shown.IsEnabled, shown.Version));
        Assert.Contains(shown.Slug, (await _viewer.Client.ListJobsAsync(new JobListQuery { Search = "t-client-", States = [JobListState.Enabled] })).Items.Select(j => j.Slug));

        var disabled = await _operator.Client.DisableJobAsync(slug);
        Assert.False(disabled.IsEnabled);
        Assert.Empty(disabled.NextFireTimes);
        Assert.False((await _viewer.Client.GetJobAsync(slug)).IsEnabled);
        var audit = await _viewer.Client.ListAuditAsync(new AuditQuery { JobSlug = slug, Limit = 2 });
        Assert.Equal(["job.disable", "job.enable"], audit.Items.Select(a => a.Action));

        // Paging: every job of the search, read two at a time, is the same set as one page of all of them.
        var all = await _viewer.Client.ListJobsAsync(new JobListQuery { Search = "t-api-", Limit = 500 });
        var paged = new List<string>();
        await foreach (var job in _viewer.Client.ListAllJobsAsync(new JobListQuery { Search = "t-api-", Limit = 2 }))
        {
            paged.Add(job.Slug);
        }
        Assert.True(all.Total > 2, $"the search should span pages; it found {all.Total}");
        Assert.Equal(all.Items.Select(j => j.Slug), paged);
    }

    [Fact]
    public async Task TriggerAndWaitAnswersTheTerminalRunWhetherItSucceededOrFailed()
    {
        const string slug = "t-client-wait";
        TestJobs.Set(slug, async _ =>
        {
            await Task.Delay(600);
            return CronJobResult.Succeeded("waited for", 1);
        });
        var watch = Stopwatch.StartNew();
        var ok = await _operator.Client.TriggerAndWaitAsync(slug);
        Assert.Equal(ExecutionStatus.Succeeded, ok.Summary.Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(600), $"answered after {watch.Elapsed}, before the run could end");
        Assert.Contains("waited for", ok.Output, StringComparison.Ordinal);
        Assert.Equal((TriggerSource.Manual, "test-operator"), (ok.Summary.TriggeredBy, ok.Summary.TriggeredByUserId));

        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Failure("the disk is full")));
        var failed = await _operator.Client.TriggerAndWaitAsync(slug);
        Assert.Equal(ExecutionStatus.Failed, failed.Summary.Status);
        Assert.Contains("the disk is full", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.NotEqual(ok.Summary.Id, failed.Summary.Id);

        // A wait that gives up says so with the run as last seen; the run goes on.
        TestJobs.Set(slug, async c =>
        {
            await Task.Delay(TimeSpan.FromSeconds(20), c.CancellationToken);
            return CronJobResult.Succeeded();
        });
        var timedOut = await Assert.ThrowsAsync<TotallatorWaitTimeoutException>(() =>
            _operator.Client.TriggerAndWaitAsync(slug, wait: new WaitOptions { Timeout = TimeSpan.FromSeconds(1) }));
        Assert.False(timedOut.LastSeen.Summary.Status.IsTerminal());
        await _operator.Client.CancelExecutionAsync(timedOut.LastSeen.Summary.Id);
        var cancelled = await _viewer.Client.WaitForExecutionAsync(timedOut.LastSeen.Summary.Id, new WaitOptions { Timeout = TimeSpan.FromSeconds(20) });
        Assert.Equal((ExecutionStatus.Failed, "cancelled"), (cancelled.Summary.Status, cancelled.Summary.StatusReason));
    }

    [Fact]
    public async Task TriggerAndWaitFollowsTheOccurrenceThroughItsRetry()
    {
        const string slug = "t-client-retry";
        var attempts = 0;
        TestJobs.Set(slug, _ => Task.FromResult(Interlocked.Increment(ref attempts) == 1 ? CronJobResult.Failure("first attempt fails") : CronJobResult.Succeeded("second attempt", 1)));
        await _admin.Client.UpdateJobAsync(slug, new JobPatch { MaxRetries = 1 });

        var end = await _operator.Client.TriggerAndWaitAsync(slug, wait: new WaitOptions { Timeout = TimeSpan.FromSeconds(30) });

        Assert.Equal((ExecutionStatus.Succeeded, 1, TriggerSource.Retry), (end.Summary.Status, end.Summary.RetryCount, end.Summary.TriggeredBy));
        var first = await _operator.Client.TriggerAndWaitAsync(slug, new TriggerOptions(), new WaitOptions { FollowRetries = false });
        Assert.Equal((ExecutionStatus.Succeeded, 0), (first.Summary.Status, first.Summary.RetryCount));
    }

    [Fact]
    public async Task AStaleVersionIsAPreconditionFailureAndChangesNothing()
    {
        const string slug = "t-client-etag";
        var read = await _admin.Client.GetJobAsync(slug);
        var edited = await _admin.Client.UpdateJobAsync(slug, new JobPatch { TimeoutMs = 5_000 }, read.Version);
        Assert.Equal((5_000, read.Version + 1), (edited.TimeoutMs, edited.Version));

        var stale = await Assert.ThrowsAsync<TotallatorPreconditionFailedException>(() =>
            _admin.Client.UpdateJobAsync(slug, new JobPatch { TimeoutMs = 7_000 }, read.Version));
        Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.False(string.IsNullOrEmpty(stale.RequestId));
        var after = await _admin.Client.GetJobAsync(slug);
        Assert.Equal((5_000, edited.Version), (after.TimeoutMs, after.Version));

        // Read-decide-write: the change is computed from what was read and sent with its version.
        var doubled = await _admin.Client.UpdateJobAsync(slug, job => new JobPatch { TimeoutMs = job.TimeoutMs * 2 });
        Assert.Equal((10_000, edited.Version + 1), (doubled.TimeoutMs, doubled.Version));
        var untouched = await _admin.Client.UpdateJobAsync(slug, _ => null);
        Assert.Equal((10_000, doubled.Version), (untouched.TimeoutMs, (await _admin.Client.GetJobAsync(slug)).Version));
    }

    [Fact]
    public async Task RefusalsBecomeTypedExceptionsThatKeepTheMessageAndTheRequestId()
    {
        var missing = await Assert.ThrowsAsync<TotallatorNotFoundException>(() => _viewer.Client.GetJobAsync("t-client-no-such-job"));
        Assert.Equal(("Not found.", "No job with slug 't-client-no-such-job'."), (missing.Title, missing.Detail));
        Assert.Matches("^[^ ]+$", missing.RequestId);
        Assert.Contains(missing.RequestId!, missing.Message, StringComparison.Ordinal);
        Assert.Contains("No job with slug 't-client-no-such-job'.", missing.Message, StringComparison.Ordinal);

        var invalid = await Assert.ThrowsAsync<TotallatorValidationException>(() =>
            _admin.Client.UpdateJobAsync("t-client-etag", new JobPatch { TimeZone = "Mars/Olympus_Mons" }));
        Assert.Contains("Mars/Olympus_Mons", Assert.Single(invalid.Errors["timeZone"]), StringComparison.Ordinal);

        var forbidden = await Assert.ThrowsAsync<TotallatorForbiddenException>(() => _viewer.Client.EnableJobAsync("t-client-etag"));
        Assert.Equal("Your role does not allow this operation.", forbidden.Detail);

        var (stranger, http) = ClientFactory.For(api, "not-a-key-of-this-api-0123456789");
        using (http)
        {
            var refused = await Assert.ThrowsAsync<TotallatorUnauthorizedException>(() => stranger.ListJobsAsync());
            Assert.DoesNotContain("not-a-key-of-this-api", refused.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ATriggerWhileRunningIsAConflictThatNamesTheRunningExecution()
    {
        const string slug = "t-client-busy";
        TestJobs.Set(slug, async c =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), c.CancellationToken);
            return CronJobResult.Succeeded();
        });
        var first = await _operator.Client.TriggerJobAsync(slug);
        var until = DateTime.UtcNow.AddSeconds(20);
        while ((await _viewer.Client.GetExecutionAsync(first.ExecutionId)).Summary.Status != ExecutionStatus.Running)
        {
            Assert.True(DateTime.UtcNow < until, $"execution {first.ExecutionId} never ran");
            await Task.Delay(100);
        }

        var conflict = await Assert.ThrowsAsync<TotallatorConflictException>(() => _operator.Client.TriggerJobAsync(slug));

        Assert.Equal(first.ExecutionId, conflict.RunningExecutionId);
        Assert.Contains("already running", conflict.Message, StringComparison.Ordinal);
        await _operator.Client.CancelExecutionAsync(first.ExecutionId);
        var ended = await _viewer.Client.WaitForExecutionAsync(first.ExecutionId, new WaitOptions { Timeout = TimeSpan.FromSeconds(20) });
        Assert.Equal("cancelled", ended.Summary.StatusReason);
        await Assert.ThrowsAsync<TotallatorConflictException>(() => _operator.Client.CancelExecutionAsync(first.ExecutionId));
    }

    [Fact]
    public async Task ARepeatedIdempotencyKeyAnswersTheFirstExecution()
    {
        const string slug = "t-client-idem";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded()));
        var key = "deploy-" + Guid.NewGuid().ToString("N");

        var first = await _operator.Client.TriggerJobAsync(slug, new TriggerOptions { IdempotencyKey = key });
        await _viewer.Client.WaitForExecutionAsync(first.ExecutionId, new WaitOptions { Timeout = TimeSpan.FromSeconds(20) });
        var repeat = await _operator.Client.TriggerJobAsync(slug, new TriggerOptions { IdempotencyKey = key });
        var other = await _operator.Client.TriggerJobAsync(slug, new TriggerOptions { IdempotencyKey = key + "-2" });

        Assert.False(first.Replayed);
        Assert.Equal((first.ExecutionId, true), (repeat.ExecutionId, repeat.Replayed));
        Assert.NotEqual(first.ExecutionId, other.ExecutionId);
        await _viewer.Client.WaitForExecutionAsync(other.ExecutionId, new WaitOptions { Timeout = TimeSpan.FromSeconds(20) });
    }

    public void Dispose()
    {
        _viewer.Http.Dispose();
        _operator.Http.Dispose();
        _admin.Http.Dispose();
    }
}
