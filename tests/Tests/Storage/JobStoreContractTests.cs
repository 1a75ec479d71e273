using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>What every <see cref="IJobStore"/> must do. Run against PostgreSQL and against the in-memory store.</summary>
public abstract partial class JobStoreContractTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    protected abstract IJobStore Store { get; }

    private static CronJobDefinition Definition(string slug, string schedule = "*/5 * * * * *", int timeoutMs = 1000) => new()
    {
        Slug = slug, Name = "Name of " + slug, Description = "about " + slug, Schedule = schedule, TimeoutMs = timeoutMs, MaxRetries = 1,
        TimeZone = "Europe/Berlin", Factory = _ => throw new InvalidOperationException("not run in store tests"),
    };

    private static string Slug() => "j" + Guid.NewGuid().ToString("N")[..12];

    private async Task<JobRecord> SeedAsync(string slug, params CronJobDefinition[] others)
    {
        await Store.SyncDefinitionsAsync([Definition(slug), .. others], T0, CancellationToken.None);
        return (await Store.GetJobAsync(slug, CancellationToken.None))!;
    }

    private static ExecutionClaim Claim(JobRecord job, string key, int retry = 0, bool advances = true, TimeSpan? lease = null) => new()
    {
        ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = key, ScheduledFor = T0.AddMinutes(1), StartedAt = T0.AddMinutes(1),
        TriggeredBy = retry > 0 ? TriggerSource.Retry : TriggerSource.Scheduler, RetryCount = retry, LeaseOwner = "silo-a",
        LeaseDuration = lease ?? TimeSpan.FromMinutes(5), AdvancesSchedule = advances,
    };

    [Fact]
    public async Task ReadClock_GivesTheStoresTimeNow_NotATransactionsStart()
    {
        // Both stores keep this machine's time here (the server runs on it); two readings a moment apart differ, as
        // clock_timestamp() does and now() inside one transaction would not.
        var before = DateTimeOffset.UtcNow;
        var first = await Store.ReadClockAsync(CancellationToken.None);
        await Task.Delay(20);
        var second = await Store.ReadClockAsync(CancellationToken.None);
        var after = DateTimeOffset.UtcNow;

        Assert.InRange(first, before.AddMilliseconds(-50), after.AddMilliseconds(50));
        Assert.InRange(second - first, TimeSpan.FromMilliseconds(15), after - before + TimeSpan.FromMilliseconds(50));
        Assert.Equal(TimeSpan.Zero, first.Offset);
    }

    [Fact]
    public async Task Sync_InsertsNewJobWithCodeDefaults()
    {
        var slug = Slug();
        var job = await SeedAsync(slug);
        Assert.Equal("Name of " + slug, job.Name);
        Assert.Equal("*/5 * * * * *", job.Schedule);
        Assert.Equal("Europe/Berlin", job.TimeZone);
        Assert.True(job.IsEnabled);
        Assert.Equal(1000, job.TimeoutMs);
        Assert.Equal(1, job.MaxRetries);
        Assert.False(job.IsOrphaned);
        Assert.Empty(job.OverriddenFields);
        Assert.Equal(T0, job.LastScheduledFor);
    }

    [Fact]
    public async Task Sync_KeepsAdminOverrides_AndFollowsCodeForTheRest()
    {
        var slug = Slug();
        await SeedAsync(slug);
        await Store.UpdateJobAsync(slug, new JobUpdate { Schedule = "0 * * * * *", MaxRetries = 7, ChangedBy = "alice" }, T0, CancellationToken.None);

        var changedInCode = Definition(slug, schedule: "*/2 * * * * *", timeoutMs: 4000) with { Description = "new text", MaxRetries = 3 };
        await Store.SyncDefinitionsAsync([changedInCode], T0.AddHours(1), CancellationToken.None);

        var job = (await Store.GetJobAsync(slug, CancellationToken.None))!;
        Assert.Equal("0 * * * * *", job.Schedule);   // admin's, overridden
        Assert.Equal(7, job.MaxRetries);              // admin's, overridden
        Assert.Equal(4000, job.TimeoutMs);            // code's, never overridden
        Assert.Equal("new text", job.Description);
        Assert.Equal(["maxRetries", "schedule"], job.OverriddenFields.Order().ToArray());
        Assert.Equal("definition-sync", job.LastModifiedBy);
    }

    [Fact]
    public async Task Sync_MarksJobsGoneFromCodeOrphaned_KeepingHistory_AndRevivesThem()
    {
        var kept = Slug();
        var gone = Slug();
        var job = await SeedAsync(kept, Definition(gone));
        var goneJob = (await Store.GetJobAsync(gone, CancellationToken.None))!;
        Assert.True(await Store.TryClaimAsync(Claim(goneJob, "s:1"), CancellationToken.None));

        await Store.SyncDefinitionsAsync([Definition(kept)], T0, CancellationToken.None);
        var orphan = (await Store.GetJobAsync(gone, CancellationToken.None))!;
        Assert.True(orphan.IsOrphaned, "a job no longer defined must be kept and marked orphaned, not deleted");
        Assert.Single(await Store.GetExecutionsAsync(orphan.Id, 10, CancellationToken.None));
        Assert.False((await Store.GetJobAsync(kept, CancellationToken.None))!.IsOrphaned);
        Assert.Equal(job.Id, (await Store.GetJobAsync(kept, CancellationToken.None))!.Id);

        await Store.SyncDefinitionsAsync([Definition(kept), Definition(gone)], T0, CancellationToken.None);
        Assert.False((await Store.GetJobAsync(gone, CancellationToken.None))!.IsOrphaned);
    }

    [Fact]
    public async Task UpdateJob_Throws_WhenVersionIsStale_AndChangesNothing()
    {
        var slug = Slug();
        var job = await SeedAsync(slug);
        var updated = await Store.UpdateJobAsync(slug, new JobUpdate { TimeoutMs = 2000, ExpectedVersion = job.Version, ChangedBy = "a" }, T0, CancellationToken.None);
        Assert.Equal(job.Version + 1, updated.Version);

        var ex = await Assert.ThrowsAsync<JobVersionConflictException>(() =>
            Store.UpdateJobAsync(slug, new JobUpdate { TimeoutMs = 9000, ExpectedVersion = job.Version, ChangedBy = "b" }, T0, CancellationToken.None));
        Assert.Equal(updated.Version, ex.CurrentVersion);
        Assert.Equal(2000, (await Store.GetJobAsync(slug, CancellationToken.None))!.TimeoutMs);
    }

    [Fact]
    public async Task UpdateJob_Throws_WhenSlugIsUnknown()
    {
        await Assert.ThrowsAsync<CronJobNotFoundException>(() =>
            Store.UpdateJobAsync("no-such-job", new JobUpdate { TimeoutMs = 5, ChangedBy = "a" }, T0, CancellationToken.None));
    }

    [Fact]
    public async Task TryClaim_AdmitsOneClaimPerOccurrenceAndAttempt()
    {
        var job = await SeedAsync(Slug());
        Assert.True(await Store.TryClaimAsync(Claim(job, "s:a"), CancellationToken.None));
        Assert.False(await Store.TryClaimAsync(Claim(job, "s:a"), CancellationToken.None), "the same occurrence and attempt must be claimable once");
        Assert.True(await Store.TryClaimAsync(Claim(job, "s:a", retry: 1), CancellationToken.None), "a retry is its own attempt");
        Assert.Equal(T0.AddMinutes(1), (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
    }

    [Fact]
    public async Task TryClaim_UnderConcurrency_AdmitsExactlyOne()
    {
        var job = await SeedAsync(Slug());
        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() => Store.TryClaimAsync(Claim(job, "s:race"), CancellationToken.None))));
        Assert.Equal(1, results.Count(r => r));
        var rows = await Store.GetExecutionsAsync(job.Id, 100, CancellationToken.None);
        Assert.Single(rows);
    }

    [Fact]
    public async Task ManyClaimsAndCompletionsAtOnce_EachOccurrenceClaimedOnce_EachRowEndedOnce()
    {
        var job = await SeedAsync(Slug());
        // 300 writers for 100 occurrences: three claimants each, all at once.
        var claims = Enumerable.Range(0, 300).Select(i => Claim(job, $"s:{i % 100}")).ToList();
        var results = await Task.WhenAll(claims.Select(c => Task.Run(() => Store.TryClaimAsync(c, CancellationToken.None))));
        var won = claims.Where((_, i) => results[i]).ToList();
        Assert.Equal(100, won.Count);
        Assert.Equal(100, won.Select(c => c.OccurrenceKey).Distinct().Count());

        var ended = await Task.WhenAll(won.Select(c => Task.Run(() => Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = c.ExecutionId, Status = ExecutionStatus.Succeeded, CompletedAt = T0.AddMinutes(2), DurationMs = 5,
            Metrics = new Dictionary<string, double> { ["latenessMs"] = 3.5 },
        }, CancellationToken.None))));
        Assert.All(ended, Assert.True);
        var rows = await Store.GetExecutionsAsync(job.Id, 1000, CancellationToken.None);
        Assert.Equal(100, rows.Count);
        Assert.All(rows, r => Assert.Equal(ExecutionStatus.Succeeded, r.Status));
        Assert.All(rows, r => Assert.Equal(3.5, r.Metrics!["latenessMs"]));
    }

    [Fact]
    public async Task TryClaim_DoesNotAdvanceSchedule_ForManualRuns()
    {
        var job = await SeedAsync(Slug());
        Assert.True(await Store.TryClaimAsync(Claim(job, "m:1", advances: false), CancellationToken.None));
        Assert.Equal(T0, (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
    }

    [Fact]
    public async Task RecordUnrun_RecordsEachOccurrenceOnce_AndAdvancesSchedule()
    {
        var job = await SeedAsync(Slug());
        UnrunOccurrence Miss(int minute) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = $"s:{minute}", ScheduledFor = T0.AddMinutes(minute),
            Status = ExecutionStatus.Missed, Reason = "down", RecordedAt = T0.AddMinutes(10),
        };
        await Store.RecordUnrunAsync([Miss(1), Miss(2)], CancellationToken.None);
        await Store.RecordUnrunAsync([Miss(2), Miss(3)], CancellationToken.None);
        var rows = await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal(ExecutionStatus.Missed, r.Status));
        Assert.All(rows, r => Assert.Equal("down", r.StatusReason));
        Assert.Equal(T0.AddMinutes(3), (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
        // At the instant its row has: every attempt of an occurrence carries one instant (the fence includes it since 0015).
        Assert.False(await Store.TryClaimAsync(Claim(job, "s:2") with { ScheduledFor = T0.AddMinutes(2) }, CancellationToken.None), "a missed occurrence cannot be run afterwards");
    }

    [Fact]
    public async Task RecordUnrun_LeavesTheSchedule_ForRowsThatDoNotAdvanceIt()
    {
        // An overlap skip recorded while catch-ups wait without a row must not move lastScheduledFor past them.
        var job = await SeedAsync(Slug());
        UnrunOccurrence Skip(int minute, bool advances) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = $"s:{minute}", ScheduledFor = T0.AddMinutes(minute),
            Status = ExecutionStatus.Skipped, Reason = "overlap", RecordedAt = T0.AddMinutes(10), AdvancesSchedule = advances,
        };
        await Store.RecordUnrunAsync([Skip(1, advances: true), Skip(4, advances: false)], CancellationToken.None);

        Assert.Equal(2, (await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None)).Count);
        Assert.Equal(T0.AddMinutes(1), (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);
    }

    [Fact]
    public async Task RecordUnrun_OfManyJobsAtOnce_AnswersEachJob_AndAdvancesEachSchedule()
    {
        // A cluster start has every job record what it missed at once; the silo's store shares one statement among them.
        // In one sync: a sync orphans (and so changes) the jobs it does not define.
        string[] slugs = [Slug(), Slug(), Slug()];
        await SeedAsync(slugs[0], Definition(slugs[1]), Definition(slugs[2]));
        var jobs = new List<JobRecord>();
        foreach (var slug in slugs)
        {
            jobs.Add((await Store.GetJobAsync(slug, CancellationToken.None))!);
        }
        var stale = await Store.UpdateJobAsync(jobs[2].Slug, new JobUpdate { Schedule = "*/5 * * * * *", ChangedBy = "alice", ResetLastScheduledFor = T0 },
            T0, CancellationToken.None);
        UnrunOccurrence Miss(JobRecord job, int minute) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = $"s:{minute}", ScheduledFor = T0.AddMinutes(minute),
            Status = ExecutionStatus.Missed, Reason = "down", RecordedAt = T0.AddMinutes(10), JobVersion = job.Version,
        };

        var answers = await Task.WhenAll(
            Store.RecordUnrunAsync([Miss(jobs[0], 1), Miss(jobs[0], 2)], CancellationToken.None),
            Store.RecordUnrunAsync([Miss(jobs[1], 3)], CancellationToken.None),
            Store.RecordUnrunAsync([Miss(jobs[2], 4)], CancellationToken.None));
        Assert.Equal([true, true, false], answers);

        var direct = new[] { Miss(jobs[0], 5), Miss(jobs[2], 6), Miss(stale, 7) };
        Assert.Equal(new[] { direct[0].ExecutionId, direct[2].ExecutionId }.ToHashSet(),
            (await Store.RecordUnrunManyAsync(direct, CancellationToken.None)).ToHashSet());

        Assert.Equal(3, (await Store.GetExecutionsAsync(jobs[0].Id, 10, CancellationToken.None)).Count);
        Assert.Single(await Store.GetExecutionsAsync(jobs[1].Id, 10, CancellationToken.None));
        Assert.Equal(["s:7"], (await Store.GetExecutionsAsync(jobs[2].Id, 10, CancellationToken.None)).Select(r => r.OccurrenceKey));
        Assert.Equal(T0.AddMinutes(5), (await Store.GetJobAsync(jobs[0].Slug, CancellationToken.None))!.LastScheduledFor);
        Assert.Equal(T0.AddMinutes(3), (await Store.GetJobAsync(jobs[1].Slug, CancellationToken.None))!.LastScheduledFor);
        Assert.Equal(T0.AddMinutes(7), (await Store.GetJobAsync(jobs[2].Slug, CancellationToken.None))!.LastScheduledFor);
    }

    [Fact]
    public async Task ClaimsAndUnrunRowsPlannedOnAnOlderJobVersion_AreRefused()
    {
        // An activation that missed an admin change (another activation took it, or its reply was lost) must not claim or record
        // by the schedule the job no longer has.
        var job = await SeedAsync(Slug());
        var changed = await Store.UpdateJobAsync(job.Slug, new JobUpdate { Schedule = "*/5 * * * * *", ChangedBy = "alice", ResetLastScheduledFor = T0 },
            T0, CancellationToken.None);
        UnrunOccurrence Skip(string key, int version) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = key, ScheduledFor = T0.AddMinutes(1),
            Status = ExecutionStatus.Skipped, Reason = "overlap", RecordedAt = T0.AddMinutes(1), JobVersion = version,
        };

        Assert.False(await Store.TryClaimAsync(Claim(job, "s:old") with { JobVersion = job.Version }, CancellationToken.None));
        Assert.False(await Store.RecordUnrunAsync([Skip("s:old-skip", job.Version)], CancellationToken.None));
        Assert.Empty(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
        Assert.Equal(T0, (await Store.GetJobAsync(job.Slug, CancellationToken.None))!.LastScheduledFor);

        Assert.True(await Store.TryClaimAsync(Claim(job, "s:new") with { JobVersion = changed.Version }, CancellationToken.None));
        Assert.True(await Store.RecordUnrunAsync([Skip("s:new-skip", changed.Version)], CancellationToken.None));
        Assert.True(await Store.TryClaimAsync(Claim(job, "m:manual", advances: false), CancellationToken.None), "manual runs are not fenced");
        Assert.Equal(3, (await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Complete_StoresEveryField_Once()
    {
        var job = await SeedAsync(Slug());
        var claim = Claim(job, "s:c");
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        var completion = new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Failed, CompletedAt = T0.AddMinutes(2), DurationMs = 60_000,
            ExitCode = 3, Output = "out", ErrorMessage = "boom", StackTrace = "at X", MemoryUsageMb = 1.5, CpuUsagePercent = 12.5,
            ItemsProcessed = 42, Metrics = new Dictionary<string, double> { ["rows"] = 7 },
        };
        Assert.True(await Store.CompleteAsync(completion, CancellationToken.None));
        Assert.False(await Store.CompleteAsync(completion with { Status = ExecutionStatus.Succeeded }, CancellationToken.None),
            "a finished row must not change its terminal state");

        var row = (await Store.GetExecutionAsync(claim.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Failed, row.Status);
        Assert.Equal(T0.AddMinutes(1), row.StartedAt);
        Assert.Equal(T0.AddMinutes(2), row.CompletedAt);
        Assert.Equal(60_000, row.DurationMs);
        Assert.Equal(3, row.ExitCode);
        Assert.Equal("out", row.Output);
        Assert.Equal("boom", row.ErrorMessage);
        Assert.Equal("at X", row.StackTrace);
        Assert.Equal(1.5, row.MemoryUsageMb);
        Assert.Equal(12.5, row.CpuUsagePercent);
        Assert.Equal(42, row.ItemsProcessed);
        Assert.Equal(7, row.Metrics!["rows"]);
        Assert.Equal(TriggerSource.Scheduler, row.TriggeredBy);
    }

    [Fact]
    public async Task AbandonExpired_MarksOnlyRunsWhoseLeaseExpired()
    {
        var job = await SeedAsync(Slug());
        var dying = Claim(job, "s:dying", lease: TimeSpan.FromMilliseconds(300));
        var renewed = Claim(job, "s:alive", lease: TimeSpan.FromMilliseconds(300));
        Assert.True(await Store.TryClaimAsync(dying, CancellationToken.None));
        Assert.True(await Store.TryClaimAsync(renewed, CancellationToken.None));
        await Store.RenewLeasesAsync([renewed.ExecutionId], TimeSpan.FromMinutes(5), CancellationToken.None);
        await Task.Delay(800);

        Assert.Equal(1, await Store.AbandonExpiredAsync(CancellationToken.None));
        var dead = (await Store.GetExecutionAsync(dying.ExecutionId, CancellationToken.None))!;
        Assert.Equal(ExecutionStatus.Abandoned, dead.Status);
        Assert.NotNull(dead.CompletedAt);
        Assert.Contains("silo-a", dead.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(ExecutionStatus.Running, (await Store.GetExecutionAsync(renewed.ExecutionId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task ARunJudgedAbandonedForItsLease_TakesItsRealEnd_SayingTheLeaseWasLost()
    {
        // Its silo could not renew the lease (a database outage) while the run went on: the sweeper's guess gives way to the
        // truth, once. Only the runner knows the execution id.
        var job = await SeedAsync(Slug());
        var outlived = Claim(job, "s:outlived", lease: TimeSpan.FromMilliseconds(300));
        Assert.True(await Store.TryClaimAsync(outlived, CancellationToken.None));
        await Task.Delay(800);
        Assert.Equal(1, await Store.AbandonExpiredAsync(CancellationToken.None));

        var end = new ExecutionCompletion { ExecutionId = outlived.ExecutionId, Status = ExecutionStatus.Succeeded, CompletedAt = T0.AddMinutes(2), DurationMs = 60_000 };
        Assert.True(await Store.CompleteAsync(end, CancellationToken.None));
        Assert.False(await Store.CompleteAsync(end with { Status = ExecutionStatus.Failed }, CancellationToken.None), "ended once");

        var row = (await Store.GetExecutionAsync(outlived.ExecutionId, CancellationToken.None))!;
        Assert.Equal((ExecutionStatus.Succeeded, T0.AddMinutes(2)), (row.Status, row.CompletedAt));
        Assert.StartsWith("lease-lost: recorded abandoned at ", row.StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARowAbandonedByItsRunner_KeepsThatState()
    {
        var job = await SeedAsync(Slug());
        var stopped = Claim(job, "s:stopped");
        Assert.True(await Store.TryClaimAsync(stopped, CancellationToken.None));
        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = stopped.ExecutionId, Status = ExecutionStatus.Abandoned, CompletedAt = T0.AddMinutes(2), StatusReason = "shutdown",
        }, CancellationToken.None));

        Assert.False(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = stopped.ExecutionId, Status = ExecutionStatus.Succeeded, CompletedAt = T0.AddMinutes(3), DurationMs = 1,
        }, CancellationToken.None));
        Assert.Equal(ExecutionStatus.Abandoned, (await Store.GetExecutionAsync(stopped.ExecutionId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task TryBeginWakePass_AdmitsOneSiloPerWindow()
    {
        var window = TimeSpan.FromSeconds(60);
        var start = DateTimeOffset.UtcNow.AddDays(1);   // later than any pass another test took
        string[] cluster = ["S10.0.0.1:11111:1", "S10.0.0.2:11111:1", "S10.0.0.3:11111:1"];
        var first = await Task.WhenAll(cluster.Concat(cluster).Select(s => Task.Run(() => Store.TryBeginWakePassAsync(start, window, s, cluster, CancellationToken.None))));
        Assert.Equal(1, first.Count(x => x));
        Assert.False(await Store.TryBeginWakePassAsync(start.AddSeconds(59), window, cluster[0], cluster, CancellationToken.None));
        Assert.True(await Store.TryBeginWakePassAsync(start.AddSeconds(61), window, cluster[0], cluster, CancellationToken.None));
    }

    [Fact]
    public async Task TryBeginWakePass_AdmitsANewPass_WhenTheSiloThatMadeTheLastOneIsGone()
    {
        var window = TimeSpan.FromSeconds(60);
        var start = DateTimeOffset.UtcNow.AddDays(2);   // later than any pass another test took
        Assert.True(await Store.TryBeginWakePassAsync(start, window, "S10.0.0.1:11111:1", ["S10.0.0.1:11111:1"], CancellationToken.None));

        // The whole cluster stopped and started again 10 s later: the silos of the new life do not include the one that woke.
        string[] restarted = ["S10.0.0.1:11111:2", "S10.0.0.2:11111:2"];
        Assert.True(await Store.TryBeginWakePassAsync(start.AddSeconds(10), window, restarted[0], restarted, CancellationToken.None));
        Assert.False(await Store.TryBeginWakePassAsync(start.AddSeconds(11), window, restarted[1], restarted, CancellationToken.None));
    }

    [Fact]
    public async Task ConfigValues_HaveDefaults_AndAnUnknownKeyHasNone()
    {
        // Settings are written through the admin side (IAdminStore.SetConfigAsync, audited): see its contract tests.
        Assert.Equal("30", await Store.GetConfigValueAsync("historyRetentionDays", CancellationToken.None));
        Assert.Null(await Store.GetConfigValueAsync("k" + Guid.NewGuid().ToString("N"), CancellationToken.None));
    }
}
