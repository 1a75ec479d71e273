using System.Text.Json.Nodes;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>The admin grains on a 2-silo cluster on PostgreSQL: views and statistics, the global pause, idempotent triggers, the audit trail.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class AdminGrainTests(ClusterFixture fixture)
{
    private readonly PostgresCluster _c = fixture.Cluster;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private IJobQueryGrain Query => _c.Client.GetGrain<IJobQueryGrain>(0);
    private ISchedulerSettingsGrain Settings => _c.Client.GetGrain<ISchedulerSettingsGrain>(0);

    [Fact]
    public async Task ListShowsAJobWithStatisticsAfterItRan()
    {
        const string slug = "t-admin-stats";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("ok")));
        var enabled = await _c.EnableAsync(slug);
        var live = await Query.GetJobAsync(slug);
        Assert.Equal(5, live.NextFireTimes.Count);
        Assert.All(live.NextFireTimes, t => Assert.Equal(TimeSpan.Zero, t.Offset));
        Assert.Equal("code", live.ScheduleSource);
        await _c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Succeeded) >= 3, Wait, "firing every second");
        await _c.EnableAsync(slug, false);
        // A run started just before the disable ends within its timeout; wait for it so the figures are final.
        var rows = await _c.WaitForRowsAsync(slug, r => r.All(x => !x.Status.IsActive()), Wait, "runs ending after the disable");
        var succeeded = rows.Count(r => r.Status == ExecutionStatus.Succeeded);

        var view = (await Query.ListJobsAsync(new JobListQuery { Search = slug })).Items.Single(j => j.Slug == slug);

        Assert.False(view.IsEnabled);
        Assert.Empty(view.NextFireTimes);
        Assert.Equal(succeeded, view.Statistics.SampleSize);
        Assert.Equal(1.0, view.Statistics.SuccessRate);
        // The list keeps no duration percentiles (docs/admin-read.md); the job's own read computes them from the history.
        Assert.Null(view.Statistics.P95DurationMs);
        Assert.NotNull((await Query.GetJobAsync(slug)).Statistics.P95DurationMs);
        Assert.Equal(succeeded, view.Statistics.RunsLast24Hours);
        Assert.Equal(0, view.Statistics.FailuresLast24Hours);
        Assert.Equal(rows.Where(r => r.StartedAt is not null).MaxBy(r => r.ScheduledFor)!.Id, view.LastRun!.Id);
        Assert.Empty(view.RunningExecutionIds);
        Assert.True(view.Version > enabled.Version, "disabling bumps the version");
        var page = await Query.GetExecutionsAsync(new ExecutionQuery { Slug = slug, Statuses = [ExecutionStatus.Succeeded], Limit = 2 });
        Assert.Equal(2, page.Items.Count);
        Assert.True(page.HasMore);
        Assert.True(page.Items[0].ScheduledFor > page.Items[1].ScheduledFor);
        await Assert.ThrowsAsync<CronJobNotFoundException>(() => Query.GetJobAsync("t-no-such-job"));
        await Assert.ThrowsAsync<InvalidAdminInputException>(() => Query.GetExecutionsAsync(new ExecutionQuery { Slug = slug, Limit = 501 }));
    }

    [Fact]
    public async Task PauseSkipsScheduledOccurrences_AndUnpauseRunsThemAgain()
    {
        const string slug = "t-admin-pause";
        var actor = new AdminActor { Name = "pause-test", RequestId = "req-pause" };
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("ok")));
        await _c.EnableAsync(slug);
        try
        {
            await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), Wait, "running before the pause");
            var paused = await Settings.UpdateAsync(new GlobalSettingsChange { SchedulingPaused = true }, actor);
            Assert.True(paused.SchedulingPaused);
            var pausedAt = DateTimeOffset.UtcNow;
            // Every silo sees the pause within the refresh interval (2 s); allow one more second for an occurrence already started.
            var settled = pausedAt.AddSeconds(3);
            var rows = await _c.WaitForRowsAsync(slug, r => r.Count(x => x.ScheduledFor > settled && x.Status == ExecutionStatus.Skipped) >= 3, Wait,
                "skipping while paused");
            Assert.All(rows.Where(r => r.ScheduledFor > settled), r =>
            {
                Assert.Equal(ExecutionStatus.Skipped, r.Status);
                Assert.Equal("paused", r.StatusReason);
            });
            Assert.Empty((await Query.GetJobAsync(slug)).NextFireTimes);

            await Settings.UpdateAsync(new GlobalSettingsChange { SchedulingPaused = false }, actor);
            var resumedAt = DateTimeOffset.UtcNow.AddSeconds(3);
            await _c.WaitForRowsAsync(slug, r => r.Any(x => x.ScheduledFor > resumedAt && x.Status == ExecutionStatus.Succeeded), Wait, "running after the unpause");
            var audit = await Query.GetAuditAsync(new AuditQuery { Actor = actor.Name, Action = "settings.update" });
            Assert.Equal(2, audit.Items.Count);
            Assert.False((bool)JsonNode.Parse(audit.Items[0].NewValuesJson!)!["schedulingPaused"]!);
            Assert.True((bool)JsonNode.Parse(audit.Items[0].OldValuesJson!)!["schedulingPaused"]!);
            Assert.Equal("req-pause", audit.Items[0].RequestId);
        }
        finally
        {
            await Settings.UpdateAsync(new GlobalSettingsChange { SchedulingPaused = false }, actor);
            await _c.EnableAsync(slug, false);
        }
    }

    [Fact]
    public async Task TriggerWithTheSameIdempotencyKey_RunsOnce()
    {
        const string slug = "t-admin-idem";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("ok")));
        var request = new TriggerRequest { UserId = "alice", IdempotencyKey = "key-1", RequestId = "req-t1" };

        var first = await _c.Job(slug).TriggerAsync(request);
        var again = await _c.Job(slug).TriggerAsync(request with { RequestId = "req-t2" });
        // Bob's trigger must find the job idle: while alice's run is still going it would be refused as an overlap, not replayed.
        await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Id == first.ExecutionId && x.Status == ExecutionStatus.Succeeded), Wait, "first keyed trigger ends");
        var otherUser = await _c.Job(slug).TriggerAsync(request with { UserId = "bob" });

        Assert.True(first.Started);
        Assert.False(first.Replayed);
        Assert.True(again.Replayed);
        Assert.Equal(first.ExecutionId, again.ExecutionId);
        Assert.False(otherUser.Replayed);
        Assert.NotEqual(first.ExecutionId, otherUser.ExecutionId);
        var rows = await _c.WaitForRowsAsync(slug, r => r.Count(x => x.Status == ExecutionStatus.Succeeded) == 2, Wait, "two keyed triggers ending");
        Assert.Single(rows, r => r.TriggeredByUserId == "alice");
        Assert.Equal(2, rows.Count);
    }

    [Fact]
    public async Task AKeyedTriggerWhoseAnswerWasLost_IsStartedByTheCallersRetry_OnceAndUnderItsFirstId()
    {
        const string slug = "t-admin-idem-lost";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("ok")));
        var job = (await _c.Store.GetJobAsync(slug, CancellationToken.None))!;
        var request = new TriggerRequest { UserId = "alice", IdempotencyKey = "lost-1", RequestId = "req-l1" };

        LostReplies.LoseNextTriggerReply(job.Id);
        // The grain reports the store failure (the API answers 503 with Retry-After); the trigger's rows committed.
        await Assert.ThrowsAsync<StoreUnavailableException>(() => _c.Job(slug).TriggerAsync(request));
        var committed = Assert.Single(await _c.RowsAsync(slug));
        Assert.Equal((ExecutionStatus.Claimed, (DateTimeOffset?)null), (committed.Status, committed.StartedAt));

        var retry = await _c.Job(slug).TriggerAsync(request with { RequestId = "req-l2" });
        var repeat = await _c.Job(slug).TriggerAsync(request with { RequestId = "req-l3" });

        Assert.True(retry.Started);
        Assert.Equal(committed.Id, retry.ExecutionId);
        Assert.Equal(committed.Id, repeat.ExecutionId);
        Assert.True(repeat.Replayed);
        var rows = await _c.WaitForRowsAsync(slug, r => r.Any(x => x.Id == committed.Id && x.Status == ExecutionStatus.Succeeded), Wait, "the retried trigger's run ends");
        Assert.Single(rows);
        Assert.Single(TestJobs.InvocationsOf(slug));
    }

    [Fact]
    public async Task AnUnkeyedTriggerWhoseAnswerWasLost_EndsSkipped_WithoutClaimingAStartItNeverHad()
    {
        // The caller was told it failed (503) and will not ask for this run again; before, its committed row stayed running with
        // a start time and no run behind it, and ended abandoned when its lease expired.
        const string slug = "t-admin-lost-unkeyed";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("ok")));
        var job = (await _c.Store.GetJobAsync(slug, CancellationToken.None))!;

        LostReplies.LoseNextTriggerReply(job.Id);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => _c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "alice", RequestId = "req-u1" }));

        var rows = await _c.WaitForRowsAsync(slug, r => r.Count == 1 && r[0].Status == ExecutionStatus.Skipped, Wait, "the lost trigger's row ends skipped");
        Assert.Null(rows[0].StartedAt);
        Assert.Contains("answer to this manual trigger was lost", rows[0].StatusReason, StringComparison.Ordinal);
        Assert.Empty(TestJobs.InvocationsOf(slug));
    }

    [Fact]
    public async Task UpdateTriggerCancelAndEnable_AreAudited()
    {
        const string slug = "t-admin-audit";
        TestJobs.Set(slug, async ctx =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), ctx.CancellationToken);
            return CronJobResult.Succeeded();
        });
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { MaxRetries = 2, ChangedBy = "carol", RequestId = "req-u" });
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { IsEnabled = true, ChangedBy = "carol" });
        await _c.Job(slug).UpdateConfigAsync(new JobConfigChange { IsEnabled = false, ChangedBy = "carol" });
        var trigger = await _c.Job(slug).TriggerAsync(new TriggerRequest { UserId = "carol", RequestId = "req-t" });
        // Its start is recorded before the answer: the operator sees it running at once, not claimed for a second.
        var started = (await _c.Store.GetExecutionAsync(trigger.ExecutionId!.Value, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Running, started.Status);
        Assert.NotNull(started.StartedAt);
        Assert.True(await _c.Job(slug).CancelAsync(trigger.ExecutionId!.Value, "carol", "req-c"));
        await _c.WaitForRowsAsync(slug, r => r.Count > 0 && r.All(x => !x.Status.IsActive()), Wait, "the cancelled run ending");

        var trail = (await Query.GetAuditAsync(new AuditQuery { JobSlug = slug })).Items.Reverse().ToList();

        Assert.Equal(["job.update", "job.enable", "job.disable", "job.trigger", "execution.cancel"], trail.Select(a => a.Action));
        Assert.All(trail, a => Assert.Equal("carol", a.Actor));
        Assert.Equal("req-u", trail[0].RequestId);
        Assert.Equal(0, (int)JsonNode.Parse(trail[0].OldValuesJson!)!["maxRetries"]!);
        Assert.Equal(2, (int)JsonNode.Parse(trail[0].NewValuesJson!)!["maxRetries"]!);
        Assert.Equal(trigger.ExecutionId.ToString(), trail[3].Target);
        Assert.False((bool)JsonNode.Parse(trail[3].NewValuesJson!)!["overrideRunning"]!);
        Assert.Equal("req-t", trail[3].RequestId);
        Assert.Equal(trigger.ExecutionId.ToString(), trail[4].Target);
        Assert.Equal("req-c", trail[4].RequestId);
    }

    [Fact]
    public async Task ApiKeysAndSettings_AreValidatedAndAudited()
    {
        var keys = _c.Client.GetGrain<IApiKeyGrain>(0);
        var actor = new AdminActor { Name = "admin-" + Guid.NewGuid().ToString("N")[..6], RequestId = "req-k" };
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Guid.NewGuid().ToByteArray()));
        var created = await keys.CreateAsync(new NewApiKey { Name = "deploy bot " + actor.Name, Role = AdminRole.Operator, KeyHash = hash, Prefix = "tk_1234" }, actor);

        var duplicate = await Assert.ThrowsAsync<InvalidAdminInputException>(() => keys.CreateAsync(
            new NewApiKey { Name = created.Name, Role = AdminRole.Viewer, KeyHash = hash.Replace(hash[0], hash[0] == 'a' ? 'b' : 'a'), Prefix = "tk_x" }, actor));
        var badName = await Assert.ThrowsAsync<InvalidAdminInputException>(() => keys.CreateAsync(
            new NewApiKey { Name = "no/slashes", Role = AdminRole.Viewer, KeyHash = hash, Prefix = "tk_x" }, actor));
        Assert.Equal("name", duplicate.Field);
        Assert.Equal("name", badName.Field);
        Assert.Equal(created, await keys.AuthenticateAsync(hash));
        Assert.True(await keys.RevokeAsync(created.Id, actor));
        Assert.Null(await keys.AuthenticateAsync(hash));
        Assert.NotNull((await keys.ListAsync()).Single(k => k.Id == created.Id).RevokedAt);
        var trail = (await Query.GetAuditAsync(new AuditQuery { Actor = actor.Name })).Items;
        Assert.Equal(["apikey.revoke", "apikey.create"], trail.Select(a => a.Action));
        Assert.All(trail, a => Assert.DoesNotContain(hash, (a.NewValuesJson ?? "") + (a.OldValuesJson ?? ""), StringComparison.Ordinal));

        var bad = await Assert.ThrowsAsync<InvalidAdminInputException>(() => Settings.UpdateAsync(new GlobalSettingsChange { HistoryRetentionDays = 0 }, actor));
        Assert.Equal("historyRetentionDays", bad.Field);
        var zone = await Assert.ThrowsAsync<InvalidAdminInputException>(() => Settings.UpdateAsync(new GlobalSettingsChange { DefaultTimeZone = "Mars/Olympus" }, actor));
        Assert.Equal("defaultTimeZone", zone.Field);
        Assert.Equal("UTC", (await Settings.GetAsync()).DefaultTimeZone);
    }

    [Fact]
    public async Task PreviewSchedule_GivesFireTimesInTheZone_OrTheReason()
    {
        var berlin = await Query.PreviewScheduleAsync("0 12 * * *", "Europe/Berlin", 3);
        var badZone = await Query.PreviewScheduleAsync("0 12 * * *", "Mars/Olympus", 3);
        var badCron = await Query.PreviewScheduleAsync("every day", "UTC", 3);
        var never = await Query.PreviewScheduleAsync("0 0 30 2 *", "UTC", 3);

        Assert.True(berlin.IsValid);
        Assert.Equal(3, berlin.NextFireTimes.Count);
        Assert.All(berlin.NextFireTimes, t => Assert.Equal(12, t.Hour));
        Assert.Equal(("timeZone", false), (badZone.ErrorField, badZone.IsValid));
        Assert.Equal(("schedule", false), (badCron.ErrorField, badCron.IsValid));
        Assert.Equal(("schedule", false), (never.ErrorField, never.IsValid));
        Assert.NotNull(never.Error);
        await Assert.ThrowsAsync<InvalidAdminInputException>(() => Query.PreviewScheduleAsync("* * * * *", "UTC", 101));
    }

    [Fact]
    public async Task ACallForAnUnknownSlug_LeavesNoActivationBehind()
    {
        var job = _c.Job("t-unknown-" + Guid.NewGuid().ToString("N")[..8]);
        await Assert.ThrowsAsync<CronJobNotFoundException>(() => job.GetSnapshotAsync());
        await Assert.ThrowsAsync<CronJobNotFoundException>(() => job.TriggerAsync(new TriggerRequest { UserId = "u" }));

        var id = job.GetGrainId();
        var management = _c.Client.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await management.GetActiveGrains(id.Type)).Contains(id))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the activation of unknown job {id} was still there 10 s after the calls");
            await Task.Delay(200);
        }
    }
}
