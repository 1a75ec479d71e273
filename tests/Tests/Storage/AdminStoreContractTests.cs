using System.Text.Json.Nodes;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>What every <see cref="IAdminStore"/> must do, over the job store that shares its data. Run against PostgreSQL and in memory.</summary>
public abstract partial class AdminStoreContractTests
{
    private protected static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    protected abstract IJobStore Jobs { get; }
    protected abstract IAdminStore Admin { get; }

    private static string Slug() => "a" + Guid.NewGuid().ToString("N")[..12];

    private async Task<JobRecord> SeedAsync(string slug)
    {
        var definition = new CronJobDefinition
        {
            Slug = slug, Name = "Name of " + slug, Schedule = "*/5 * * * * *", TimeoutMs = 1000, TimeZone = "UTC", MaxRetries = 0,
            MisfirePolicy = MisfirePolicy.RunOnce, Factory = _ => throw new InvalidOperationException("not run in store tests"),
        };
        await Jobs.SyncDefinitionsAsync([definition], T0, CancellationToken.None);
        return (await Jobs.GetJobAsync(slug, CancellationToken.None))!;
    }

    private static AuditEntry Audit(string actor, string action, string? target = null) => new()
    {
        Id = Guid.CreateVersion7(), At = T0, Actor = actor, Action = action, Target = target, RequestId = "req-" + actor,
    };

    /// <summary>Claims a run of <paramref name="job"/> scheduled <paramref name="minutesAgo"/> before T0 and ends it.</summary>
    private async Task<Guid> RunAsync(JobRecord job, int minutesAgo, ExecutionStatus status, long durationMs, int retry = 0, TriggerSource source = TriggerSource.Scheduler)
    {
        var at = T0.AddMinutes(-minutesAgo);
        var claim = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = $"s:{minutesAgo}", ScheduledFor = at, StartedAt = at,
            TriggeredBy = retry > 0 ? TriggerSource.Retry : source, RetryCount = retry, LeaseOwner = "silo-a", LeaseDuration = TimeSpan.FromMinutes(5),
            AdvancesSchedule = false,
        };
        Assert.True(await Jobs.TryClaimAsync(claim, CancellationToken.None));
        if (status != ExecutionStatus.Running)
        {
            Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
            {
                ExecutionId = claim.ExecutionId, Status = status, CompletedAt = at.AddMilliseconds(durationMs), DurationMs = durationMs,
                MemoryUsageMb = 10, CpuUsagePercent = 50, Output = "out " + minutesAgo, ErrorMessage = status == ExecutionStatus.Failed ? "boom" : null,
            }, CancellationToken.None));
        }
        return claim.ExecutionId;
    }

    /// <summary>20 ended attempts (durations 10..200 ms): 15 succeeded, 3 failed, 1 timed out, 1 abandoned; 2 of them retries;
    /// then one running, two skipped in the last day and one skipped two days ago.</summary>
    private protected async Task<(JobRecord Job, Guid Running)> SeedHistoryAsync()
    {
        var job = await SeedAsync(Slug());
        for (var i = 1; i <= 20; i++)
        {
            var status = i switch { 3 or 7 or 11 => ExecutionStatus.Failed, 15 => ExecutionStatus.TimedOut, 19 => ExecutionStatus.Abandoned, _ => ExecutionStatus.Succeeded };
            await RunAsync(job, minutesAgo: 100 - i, status, durationMs: i * 10, retry: i is 4 or 8 ? 1 : 0);
        }
        var running = await RunAsync(job, minutesAgo: 5, ExecutionStatus.Running, 0);
        await Jobs.RecordUnrunAsync(
        [
            Unrun(job, 50, ExecutionStatus.Skipped), Unrun(job, 40, ExecutionStatus.Missed), Unrun(job, 2 * 24 * 60, ExecutionStatus.Skipped),
        ], CancellationToken.None);
        return (job, running);
    }

    private static UnrunOccurrence Unrun(JobRecord job, int minutesAgo, ExecutionStatus status) => new()
    {
        ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = $"s:{minutesAgo}", ScheduledFor = T0.AddMinutes(-minutesAgo),
        Status = status, Reason = "test", RecordedAt = T0.AddMinutes(-minutesAgo),
    };

    [Fact]
    public async Task Statistics_AreComputedFromTheLastEndedAttempts_AndTheLastDay()
    {
        var (job, running) = await SeedHistoryAsync();
        var other = await SeedAsync(Slug());

        var all = await Admin.GetStatisticsAsync(null, T0, CancellationToken.None);
        var one = await Admin.GetStatisticsAsync(job.Id, T0, CancellationToken.None);

        Assert.True(all.ContainsKey(other.Id), "every job is listed, also one without executions");
        Assert.Equal(0, all[other.Id].Statistics.SampleSize);
        Assert.Null(all[other.Id].Statistics.SuccessRate);
        Assert.Null(all[other.Id].LastRun);
        Assert.Single(one);
        var s = one[job.Id].Statistics;
        Assert.Equal(all[job.Id].Statistics with { Recent = [] }, s with { Recent = [] });
        Assert.Equal(all[job.Id].Statistics.Recent, s.Recent);
        // The trend: the 20 ended attempts, oldest first (durations 10..200 ms), with their outcomes.
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long?)(i * 10)), s.Recent.Select(r => r.DurationMs));
        Assert.Equal(ExecutionStatus.Failed, s.Recent[2].Status);
        Assert.Equal(ExecutionStatus.TimedOut, s.Recent[14].Status);
        Assert.Equal(ExecutionStatus.Abandoned, s.Recent[18].Status);
        Assert.Equal(ExecutionStatus.Succeeded, s.Recent[19].Status);
        Assert.Equal(20, s.SampleSize);
        Assert.Equal(0.75, s.SuccessRate);
        Assert.Equal(105, s.AverageDurationMs);
        Assert.Equal(105, s.P50DurationMs);
        // percentile_cont: rank 0.95 × 19 = 18.05 between 190 and 200.
        Assert.Equal(190.5, s.P95DurationMs!.Value, 6);
        Assert.Equal(198.1, s.P99DurationMs!.Value, 6);
        Assert.Equal(200, s.MaxDurationMs);
        Assert.Equal(10, s.AverageMemoryMb);
        Assert.Equal(50, s.AverageCpuPercent);
        Assert.Equal(2, s.RetryAttempts);
        Assert.Equal(21, s.RunsLast24Hours);
        Assert.Equal(5, s.FailuresLast24Hours);
        Assert.Equal(2, s.NotRunLast24Hours);
        Assert.Equal([running], one[job.Id].RunningExecutionIds);
        Assert.Equal(running, one[job.Id].LastRun!.Id);
        Assert.Equal(job.Slug, one[job.Id].LastRun!.JobSlug);
    }

    [Fact]
    public async Task ExecutionPage_FiltersAndPages_NewestFirst()
    {
        var (job, _) = await SeedHistoryAsync();
        var failures = new ExecutionQuery { Slug = job.Slug, Statuses = [ExecutionStatus.Failed, ExecutionStatus.TimedOut], Limit = 3 };

        var first = await Admin.GetExecutionPageAsync(job.Id, job.Slug, failures, CancellationToken.None);
        var second = await Admin.GetExecutionPageAsync(job.Id, job.Slug, failures with { Offset = 3 }, CancellationToken.None);
        var retries = await Admin.GetExecutionPageAsync(job.Id, job.Slug, new ExecutionQuery { Slug = job.Slug, TriggerSources = [TriggerSource.Retry] }, CancellationToken.None);
        var window = await Admin.GetExecutionPageAsync(job.Id, job.Slug,
            new ExecutionQuery { Slug = job.Slug, From = T0.AddMinutes(-90), To = T0.AddMinutes(-85) }, CancellationToken.None);

        Assert.True(first.HasMore);
        Assert.Equal([T0.AddMinutes(-85), T0.AddMinutes(-89), T0.AddMinutes(-93)], first.Items.Select(e => e.ScheduledFor));
        Assert.False(second.HasMore);
        Assert.Equal([T0.AddMinutes(-97)], second.Items.Select(e => e.ScheduledFor));
        Assert.All(first.Items, e => Assert.Equal(job.Slug, e.JobSlug));
        Assert.Equal(2, retries.Items.Count);
        Assert.All(retries.Items, e => Assert.Equal(1, e.RetryCount));
        // From inclusive, To exclusive: -90 .. -86.
        Assert.Equal(5, window.Items.Count);
        Assert.False(window.HasMore);
    }

    [Fact]
    public async Task ExecutionDetails_CarryJobAndLargeFields()
    {
        var job = await SeedAsync(Slug());
        var id = await RunAsync(job, 3, ExecutionStatus.Failed, 42);

        var details = (await Admin.GetExecutionDetailsAsync(id, CancellationToken.None))!;

        Assert.Equal(job.Name, details.JobName);
        Assert.Equal(job.Slug, details.Summary.JobSlug);
        Assert.Equal(ExecutionStatus.Failed, details.Summary.Status);
        Assert.Equal(42, details.Summary.DurationMs);
        Assert.Equal("out 3", details.Output);
        Assert.Equal("boom", details.ErrorMessage);
        Assert.Null(await Admin.GetExecutionDetailsAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task JobUpdate_WritesItsAuditRow_AndAConflictedUpdateWritesNone()
    {
        var job = await SeedAsync(Slug());
        var update = new JobUpdate
        {
            Schedule = "0 * * * * *", IsEnabled = false, MisfirePolicy = MisfirePolicy.Skip, ExpectedVersion = job.Version, ChangedBy = "alice",
            AuditAction = "job.update", RequestId = "r-1",
        };
        await Jobs.UpdateJobAsync(job.Slug, update, T0, CancellationToken.None);
        await Assert.ThrowsAsync<JobVersionConflictException>(() =>
            Jobs.UpdateJobAsync(job.Slug, update with { Schedule = "0 0 * * * *", RequestId = "r-2" }, T0, CancellationToken.None));

        var page = await Admin.GetAuditPageAsync(new AuditQuery { JobSlug = job.Slug }, CancellationToken.None);

        var entry = Assert.Single(page.Items);
        Assert.Equal("alice", entry.Actor);
        Assert.Equal("job.update", entry.Action);
        Assert.Equal("r-1", entry.RequestId);
        var old = JsonNode.Parse(entry.OldValuesJson!)!.AsObject();
        var now = JsonNode.Parse(entry.NewValuesJson!)!.AsObject();
        Assert.Equal(["isEnabled", "misfirePolicy", "schedule"], old.Select(kv => kv.Key).Order(StringComparer.Ordinal));
        Assert.Equal("*/5 * * * * *", (string?)old["schedule"]);
        Assert.True((bool)old["isEnabled"]!);
        Assert.Equal("run_once", (string?)old["misfirePolicy"]);
        Assert.Equal("0 * * * * *", (string?)now["schedule"]);
        Assert.False((bool)now["isEnabled"]!);
        Assert.Equal("skip", (string?)now["misfirePolicy"]);
    }

    [Fact]
    public async Task Config_HasDefaults_AndIsSetWithItsAuditRow()
    {
        var actor = "cfg-" + Guid.NewGuid().ToString("N")[..8];
        var before = await Admin.GetConfigAsync(CancellationToken.None);
        Assert.Equal("UTC", before["defaultTimeZone"].Value);
        Assert.Equal("60000", before["defaultTimeoutMs"].Value);
        Assert.Equal("0", before["defaultMaxRetries"].Value);
        Assert.Equal("run_once", before["defaultMisfirePolicy"].Value);
        var key = "k" + Guid.NewGuid().ToString("N");

        await Admin.SetConfigAsync(new Dictionary<string, string> { [key] = "7", ["x" + key] = "true" },
            Audit(actor, "settings.update") with { NewValuesJson = """{"k": 7}""" }, CancellationToken.None);

        var after = await Admin.GetConfigAsync(CancellationToken.None);
        Assert.Equal("7", after[key].Value);
        Assert.Equal("true", after["x" + key].Value);
        Assert.Equal(actor, after[key].UpdatedBy);
        var entry = Assert.Single((await Admin.GetAuditPageAsync(new AuditQuery { Actor = actor }, CancellationToken.None)).Items);
        Assert.Equal("settings.update", entry.Action);
        Assert.Equal(7, (int)JsonNode.Parse(entry.NewValuesJson!)!["k"]!);
    }

    [Fact]
    public async Task ApiKeys_AreCreatedOnceByName_FoundByHash_AndRevokedOnce()
    {
        var actor = "keys-" + Guid.NewGuid().ToString("N")[..8];
        var key = new ApiKeyInfo
        {
            Id = Guid.CreateVersion7(), Name = "deploy " + actor, Role = AdminRole.Operator, Prefix = "tk_ab", CreatedAt = T0, CreatedBy = actor,
        };
        var hash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await Admin.CreateApiKeyAsync(key, hash, Audit(actor, "apikey.create", key.Id.ToString()), CancellationToken.None);

        var duplicate = await Assert.ThrowsAsync<InvalidAdminInputException>(() => Admin.CreateApiKeyAsync(
            key with { Id = Guid.CreateVersion7() }, hash + "x", Audit(actor, "apikey.create"), CancellationToken.None));
        Assert.Equal("name", duplicate.Field);
        Assert.Equal(key, await Admin.FindActiveApiKeyAsync(hash, T0, CancellationToken.None));
        Assert.Contains(key with { LastUsedAt = T0 }, await Admin.ListApiKeysAsync(CancellationToken.None));

        Assert.True(await Admin.RevokeApiKeyAsync(key.Id, T0.AddHours(1), actor, Audit(actor, "apikey.revoke", key.Id.ToString()), CancellationToken.None));
        Assert.False(await Admin.RevokeApiKeyAsync(key.Id, T0.AddHours(2), actor, Audit(actor, "apikey.revoke", key.Id.ToString()), CancellationToken.None));

        Assert.Null(await Admin.FindActiveApiKeyAsync(hash, T0.AddHours(3), CancellationToken.None));
        var listed = (await Admin.ListApiKeysAsync(CancellationToken.None)).Single(k => k.Id == key.Id);
        Assert.Equal(T0.AddHours(1), listed.RevokedAt);
        Assert.Equal(actor, listed.RevokedBy);
        Assert.Equal(T0, listed.LastUsedAt); // a revoked key's check records nothing
        var trail = (await Admin.GetAuditPageAsync(new AuditQuery { Actor = actor }, CancellationToken.None)).Items;
        Assert.Equal(["apikey.create", "apikey.revoke"], trail.Select(a => a.Action).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ApiKeys_RecordTheirLastUse_ToTheMinute()
    {
        var actor = "used-" + Guid.NewGuid().ToString("N")[..8];
        var key = new ApiKeyInfo { Id = Guid.CreateVersion7(), Name = "ci " + actor, Role = AdminRole.Viewer, Prefix = "tk_cd", CreatedAt = T0, CreatedBy = actor };
        var hash = Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await Admin.CreateApiKeyAsync(key, hash, Audit(actor, "apikey.create", key.Id.ToString()), CancellationToken.None);
        async Task<DateTimeOffset?> LastUsedAsync() => (await Admin.ListApiKeysAsync(CancellationToken.None)).Single(k => k.Id == key.Id).LastUsedAt;

        Assert.Null(await LastUsedAsync());
        Assert.Null((await Admin.FindActiveApiKeyAsync(hash, T0.AddMinutes(5), CancellationToken.None))!.LastUsedAt);
        Assert.Equal(T0.AddMinutes(5), await LastUsedAsync());
        // Checked again within the minute: nothing written (a busy key costs one write a minute).
        Assert.Equal(T0.AddMinutes(5), (await Admin.FindActiveApiKeyAsync(hash, T0.AddMinutes(5.5), CancellationToken.None))!.LastUsedAt);
        Assert.Equal(T0.AddMinutes(5), await LastUsedAsync());
        await Admin.FindActiveApiKeyAsync(hash, T0.AddMinutes(7), CancellationToken.None);
        Assert.Equal(T0.AddMinutes(7), await LastUsedAsync());
    }

    private static ManualTrigger Trigger(JobRecord job, string user, string? key, DateTimeOffset at, string? reason = null)
    {
        var id = Guid.CreateVersion7();
        return new ManualTrigger
        {
            Claim = new ExecutionClaim
            {
                ExecutionId = id, CronJobId = job.Id, OccurrenceKey = OccurrenceKeys.Manual(id), ScheduledFor = at, StartedAt = null,
                TriggeredBy = TriggerSource.Manual, TriggeredByUserId = user, RetryCount = 0, LeaseOwner = "silo-a",
                LeaseDuration = TimeSpan.FromMinutes(5), StatusReason = reason, AdvancesSchedule = false,
            },
            IdempotencyKey = key, KeySince = at.AddDays(-1), Audit = Audit(user, "job.trigger", id.ToString()) with { At = at, JobSlug = job.Slug },
        };
    }

    private async Task<IReadOnlyList<AuditEntry>> TrailOfAsync(string actor) =>
        (await Admin.GetAuditPageAsync(new AuditQuery { Actor = actor }, CancellationToken.None)).Items;

    [Fact]
    public async Task Triggers_AreClaimedKeyedAndAuditedTogether_ARepeatOfTheKeyWritesNothingForADay_AndCleanupDropsOldKeys()
    {
        var job = await SeedAsync(Slug());
        var bob = "bob-" + Guid.NewGuid().ToString("N")[..8];
        var first = Trigger(job, bob, "k1", T0);

        Assert.Null(await Admin.FindTriggerRequestAsync(job.Id, bob, "k1", T0.AddDays(-1), CancellationToken.None));
        Assert.Equal(new TriggerRecorded(first.Claim.ExecutionId, false, false), await Admin.RecordTriggerAsync(first, CancellationToken.None));
        var row = (await Jobs.GetExecutionAsync(first.Claim.ExecutionId, CancellationToken.None))!;
        // Claimed without a start, as a claim ahead is: a trigger whose answer is lost never reads as a run that started.
        Assert.Equal((ExecutionStatus.Claimed, (DateTimeOffset?)null, TriggerSource.Manual, bob), (row.Status, row.StartedAt, row.TriggeredBy, row.TriggeredByUserId));
        Assert.Equal(first.Claim.ExecutionId.ToString(), Assert.Single(await TrailOfAsync(bob)).Target);

        // The same key an hour later: the first execution answers (still active here), and nothing is written.
        var repeat = Trigger(job, bob, "k1", T0.AddHours(1));
        Assert.Equal(new TriggerRecorded(first.Claim.ExecutionId, true, true), await Admin.RecordTriggerAsync(repeat, CancellationToken.None));
        Assert.Null(await Jobs.GetExecutionAsync(repeat.Claim.ExecutionId, CancellationToken.None));
        Assert.Single(await TrailOfAsync(bob));
        // Asked again with the first claim itself (its answer was lost): its own execution answers.
        Assert.Equal(new TriggerRecorded(first.Claim.ExecutionId, true, true), await Admin.RecordTriggerAsync(first, CancellationToken.None));
        // Once it has ended it is no longer active.
        await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = first.Claim.ExecutionId, Status = ExecutionStatus.Succeeded, StartedAt = T0, CompletedAt = T0.AddSeconds(1),
        }, CancellationToken.None);
        Assert.Equal(new TriggerRecorded(first.Claim.ExecutionId, true, false), await Admin.RecordTriggerAsync(repeat, CancellationToken.None));

        // Another user's key is theirs; a day later bob's is free again.
        var carol = Trigger(job, "carol-" + bob, "k1", T0.AddHours(1));
        Assert.False((await Admin.RecordTriggerAsync(carol, CancellationToken.None)).Replayed);
        var later = Trigger(job, bob, "k1", T0.AddHours(25));
        Assert.Equal(new TriggerRecorded(later.Claim.ExecutionId, false, false), await Admin.RecordTriggerAsync(later, CancellationToken.None));
        Assert.Equal(later.Claim.ExecutionId, await Admin.FindTriggerRequestAsync(job.Id, bob, "k1", T0.AddHours(24), CancellationToken.None));
        // Without a key, every trigger is its own.
        var unkeyed = Trigger(job, bob, null, T0.AddHours(25));
        Assert.Equal(new TriggerRecorded(unkeyed.Claim.ExecutionId, false, false), await Admin.RecordTriggerAsync(unkeyed, CancellationToken.None));
        Assert.Equal(3, (await TrailOfAsync(bob)).Count);
        var actor = "cleanup-" + Guid.NewGuid().ToString("N")[..8];
        var old = await RunAsync(job, 60 * 24 * 40, ExecutionStatus.Succeeded, 5);
        await Admin.CleanupAsync(new CleanupCutoffs(T0.AddDays(-30), 30, T0.AddDays(-365), 365, T0.AddHours(26)), Audit(actor, "executions.cleanup"), CancellationToken.None);

        Assert.Null(await Jobs.GetExecutionAsync(old, CancellationToken.None));
        Assert.Null(await Admin.FindTriggerRequestAsync(job.Id, bob, "k1", DateTimeOffset.MinValue, CancellationToken.None));
        var entry = Assert.Single((await Admin.GetAuditPageAsync(new AuditQuery { Actor = actor }, CancellationToken.None)).Items);
        Assert.Equal("executions.cleanup", entry.Action);
        var values = JsonNode.Parse(entry.NewValuesJson!)!;
        Assert.True((int)values["deleted"]! >= 1);
        Assert.Equal(30, (int)values["olderThanDays"]!);
    }

    [Fact]
    public async Task AKeyWhoseRunWasGivenUpUnstarted_HoldsNothing_WhileOneThatMayHaveStarted_StillAnswers()
    {
        // Its trigger's answer was lost and its activation went: the run was ended skipped, never started. The caller's retry
        // with the key must run it, not be answered with a run that never happened.
        var job = await SeedAsync(Slug());
        var user = "given-up-" + Guid.NewGuid().ToString("N")[..8];
        var lost = Trigger(job, user, "k1", T0);
        Assert.False((await Admin.RecordTriggerAsync(lost, CancellationToken.None)).Replayed);
        Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = lost.Claim.ExecutionId, Status = ExecutionStatus.Skipped, CompletedAt = T0.AddSeconds(1), StatusReason = "not run",
            HeldBy = lost.Claim.LeaseOwner,
        }, CancellationToken.None));

        Assert.Null(await Admin.FindTriggerRequestAsync(job.Id, user, "k1", T0.AddDays(-1), CancellationToken.None));
        var retry = Trigger(job, user, "k1", T0.AddSeconds(2));
        Assert.Equal(new TriggerRecorded(retry.Claim.ExecutionId, false, false), await Admin.RecordTriggerAsync(retry, CancellationToken.None));
        Assert.Equal(retry.Claim.ExecutionId, await Admin.FindTriggerRequestAsync(job.Id, user, "k1", T0.AddDays(-1), CancellationToken.None));

        // Abandoned (its silo died; a run under RunningRecordDelay may have begun): the key still answers with it.
        Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = retry.Claim.ExecutionId, Status = ExecutionStatus.Abandoned, CompletedAt = T0.AddSeconds(40), StatusReason = "lease-expired",
        }, CancellationToken.None));
        var third = Trigger(job, user, "k1", T0.AddSeconds(50));
        Assert.Equal(new TriggerRecorded(retry.Claim.ExecutionId, true, false), await Admin.RecordTriggerAsync(third, CancellationToken.None));
    }

    [Fact]
    public async Task ATriggerTheDatabaseRefusesWritesNothing_NeitherItsKeyNorItsAuditRow()
    {
        // Before, the key was written on its own: a trigger that then failed kept its key, and the caller's retry got a replay of
        // a run that never started.
        var job = await SeedAsync(Slug());
        var user = "refused-" + Guid.NewGuid().ToString("N")[..8];
        var refused = Trigger(job, user, "k1", T0, reason: "override note with a NUL \0 inside");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Admin.RecordTriggerAsync(refused, CancellationToken.None));
        Assert.True(RefusedRows.IsRowData(error), error.ToString());

        Assert.Null(await Admin.FindTriggerRequestAsync(job.Id, user, "k1", T0.AddDays(-1), CancellationToken.None));
        Assert.Null(await Jobs.GetExecutionAsync(refused.Claim.ExecutionId, CancellationToken.None));
        Assert.Empty(await TrailOfAsync(user));
    }

    [Fact]
    public async Task Cleanup_DeletesFinishedExecutionsPastTheRetention_NeverRecentOnes_NorOnesStillClaimedOrRunning()
    {
        var job = await SeedAsync(Slug());
        var old = await RunAsync(job, 60 * 24 * 40, ExecutionStatus.Succeeded, 5);
        var recent = await RunAsync(job, 60, ExecutionStatus.Failed, 5);
        var running = await RunAsync(job, 60 * 24 * 41, ExecutionStatus.Running, 5);
        var claimed = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "s:claimed-long-ago", ScheduledFor = T0.AddDays(-42), StartedAt = null,
            TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = "silo-a", LeaseDuration = TimeSpan.FromMinutes(5), AdvancesSchedule = false,
        };
        Assert.True(await Jobs.TryClaimAsync(claimed, CancellationToken.None));

        // Counted first: the old run is among what would go, and counting deletes nothing.
        var counted = await Admin.CountCleanupAsync(CleanupCutoffs.At(T0, 30, 365), CancellationToken.None);
        Assert.True(counted.Deleted >= 1, $"counted {counted.Deleted}");
        Assert.NotNull(await Jobs.GetExecutionAsync(old, CancellationToken.None));
        Assert.Equal(0, (await Admin.CountCleanupAsync(CleanupCutoffs.At(T0.AddDays(-365 * 5), 30, 365 * 20), CancellationToken.None)).Deleted);

        var result = await Admin.CleanupAsync(CleanupCutoffs.At(T0, 30, 365), Audit("cleanup-" + Guid.NewGuid().ToString("N")[..8], "executions.cleanup"),
            CancellationToken.None);

        Assert.True(result.Deleted >= 1, $"deleted {result.Deleted}");
        Assert.Null(await Jobs.GetExecutionAsync(old, CancellationToken.None));
        Assert.NotNull(await Jobs.GetExecutionAsync(recent, CancellationToken.None));
        Assert.NotNull(await Jobs.GetExecutionAsync(running, CancellationToken.None));
        Assert.NotNull(await Jobs.GetExecutionAsync(claimed.ExecutionId, CancellationToken.None));
    }

    [Fact]
    public async Task Cleanup_DeletesAuditRowsPastTheAuditRetention_AndThePageCountsTheWholeTrail()
    {
        var actor = "audit-" + Guid.NewGuid().ToString("N")[..8];
        await Admin.AppendAuditAsync(Audit(actor, "job.update") with { At = T0.AddDays(-400) }, CancellationToken.None);
        await Admin.AppendAuditAsync(Audit(actor, "job.enable") with { At = T0.AddDays(-10) }, CancellationToken.None);
        var before = (await Admin.GetAuditPageAsync(new AuditQuery { Actor = actor }, CancellationToken.None)).TrailRows;

        var result = await Admin.CleanupAsync(CleanupCutoffs.At(T0, 30, 365), Audit(actor, "executions.cleanup"), CancellationToken.None);

        var page = await Admin.GetAuditPageAsync(new AuditQuery { Actor = actor }, CancellationToken.None);
        Assert.Equal(["executions.cleanup", "job.enable"], page.Items.Select(a => a.Action));
        Assert.True(result.AuditDeleted >= 1, $"deleted {result.AuditDeleted} audit rows");
        // The trail lost what the cleanup deleted and gained the cleanup's own row.
        Assert.Equal(before - result.AuditDeleted + 1, page.TrailRows);
        var values = JsonNode.Parse(page.Items[0].NewValuesJson!)!;
        Assert.Equal(result.AuditDeleted, (int)values["auditDeleted"]!);
        Assert.Equal(365, (int)values["auditRetentionDays"]!);
        Assert.Equal(30, (int)values["olderThanDays"]!);
    }

    [Fact]
    public async Task NewJobsTakeTheGlobalDefaults_AndStoredJobsKeepTheirValues()
    {
        var defaults = new Dictionary<string, string>
        {
            ["defaultTimeZone"] = "UTC", ["defaultTimeoutMs"] = "60000", ["defaultMaxRetries"] = "0", ["defaultMisfirePolicy"] = "run_once",
        };
        await Admin.SetConfigAsync(new Dictionary<string, string>
        {
            ["defaultTimeZone"] = "Europe/Berlin", ["defaultTimeoutMs"] = "5000", ["defaultMaxRetries"] = "3", ["defaultMisfirePolicy"] = "skip",
        }, Audit("defaults", "settings.update"), CancellationToken.None);
        try
        {
            var slug = Slug();
            var bare = new CronJobDefinition
            {
                Slug = slug, Name = "Name of " + slug, Schedule = "0 * * * *", Factory = _ => throw new InvalidOperationException("not run"),
            };
            await Jobs.SyncDefinitionsAsync([bare], T0, CancellationToken.None);
            var job = (await Jobs.GetJobAsync(slug, CancellationToken.None))!;
            Assert.Equal(("Europe/Berlin", 5000, 3, MisfirePolicy.Skip), (job.TimeZone, job.TimeoutMs, job.MaxRetries, job.MisfirePolicy));

            // Later default changes and later syncs of the same bare definition leave the stored job alone.
            await Admin.SetConfigAsync(defaults, Audit("defaults", "settings.update"), CancellationToken.None);
            await Jobs.SyncDefinitionsAsync([bare with { Description = "changed" }], T0.AddHours(1), CancellationToken.None);
            job = (await Jobs.GetJobAsync(slug, CancellationToken.None))!;
            Assert.Equal(("Europe/Berlin", 5000, 3, MisfirePolicy.Skip, "changed"), (job.TimeZone, job.TimeoutMs, job.MaxRetries, job.MisfirePolicy, job.Description));

            // A value the definition names still wins over the stored one.
            await Jobs.SyncDefinitionsAsync([bare with { TimeoutMs = 7000 }], T0.AddHours(2), CancellationToken.None);
            Assert.Equal(7000, (await Jobs.GetJobAsync(slug, CancellationToken.None))!.TimeoutMs);
        }
        finally
        {
            await Admin.SetConfigAsync(defaults, Audit("defaults", "settings.update"), CancellationToken.None);
        }
    }
}
