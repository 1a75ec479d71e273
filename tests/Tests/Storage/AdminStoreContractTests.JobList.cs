using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// The job list (docs/admin-read.md): statistics kept as attempts end must say what the history says (the history computation
/// of <see cref="IAdminStore.GetStatisticsAsync"/> is the oracle), the day's counts age out without a write, and the store
/// pages, searches, filters and sorts.
/// </summary>
public abstract partial class AdminStoreContractTests
{
    private protected async Task<JobListRow> ListedAsync(JobRecord job, DateTimeOffset now) =>
        (await Admin.ListJobPageAsync(new JobListQuery { Search = job.Slug }, now, CancellationToken.None)).Rows.Single(r => r.Job.Id == job.Id);

    private protected async Task<JobStatistics> OracleAsync(JobRecord job, DateTimeOffset now) =>
        (await Admin.GetStatisticsAsync(job.Id, now, CancellationToken.None))[job.Id].Statistics;

    /// <summary>The figures the list shows, equal to the history's (the list leaves durations, memory and CPU to the job's page).</summary>
    private protected static void AssertSameFigures(JobStatistics history, JobStatistics listed)
    {
        Assert.Equal(history.SampleSize, listed.SampleSize);
        Assert.Equal(history.SuccessRate, listed.SuccessRate);
        Assert.Equal(history.RetryAttempts, listed.RetryAttempts);
        Assert.Equal(history.Recent, listed.Recent);
        Assert.Equal(history.RunsLast24Hours, listed.RunsLast24Hours);
        Assert.Equal(history.FailuresLast24Hours, listed.FailuresLast24Hours);
        Assert.Equal(history.NotRunLast24Hours, listed.NotRunLast24Hours);
    }

    [Fact]
    public async Task ListedStatistics_AreWhatTheHistoryGives_AfterCompletionsUnrunAbandonAndSignals()
    {
        var (job, running) = await SeedHistoryAsync();

        // The running one is not counted until it ends: the statistics row is written by the statements that end attempts.
        var before = await ListedAsync(job, T0);
        Assert.Equal((await OracleAsync(job, T0)).RunsLast24Hours - 1, before.Stats!.ToStatistics(T0).RunsLast24Hours);
        Assert.Equal([running], before.Running.Select(x => x.Id));
        Assert.Equal(T0.AddMinutes(-80), before.Stats.LastRun!.ScheduledFor);

        Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = running, Status = ExecutionStatus.Failed, CompletedAt = T0, DurationMs = 300_000, Final = true,
        }, CancellationToken.None));
        // Abandoned by the sweeper: its lease expired (a failure that ran).
        var lost = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "s:lost", ScheduledFor = T0.AddMinutes(-3), StartedAt = T0.AddMinutes(-3),
            TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = "silo-a", LeaseDuration = TimeSpan.FromMilliseconds(200), AdvancesSchedule = false,
        };
        Assert.True(await Jobs.TryClaimAsync(lost, CancellationToken.None));
        await Task.Delay(600);
        Assert.True(await Jobs.AbandonExpiredAsync(CancellationToken.None) >= 1);
        // A non-final end signalled later (its retry did not happen): counted once, when it ended.
        var retried = await RunAsync(job, minutesAgo: 1, ExecutionStatus.Failed, durationMs: 7);
        await ((Grains.Dependencies.IDependencyStore)Jobs).SignalDownstreamAsync(retried, CancellationToken.None);

        var history = await OracleAsync(job, T0);
        var listed = await ListedAsync(job, T0);
        AssertSameFigures(history, listed.Stats!.ToStatistics(T0));
        Assert.Equal(23, history.SampleSize);
        Assert.Equal(retried, listed.Stats.LastRun!.Id);
        Assert.Equal(ExecutionStatus.Failed, listed.Stats.LastRun.Status);
        Assert.Equal(job.Slug, listed.Stats.LastRun.JobSlug);
        Assert.Empty(listed.Running);
    }

    [Fact]
    public async Task ListedDayCounts_AgeOutAsTimePasses_WithoutAnyWrite()
    {
        var (job, running) = await SeedHistoryAsync();
        Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = running, Status = ExecutionStatus.Succeeded, CompletedAt = T0, DurationMs = 5,
        }, CancellationToken.None));

        // 20 hours on, the hourly slots still cover every run (they were 1 to 2 hours before T0).
        var later = T0.AddHours(20);
        AssertSameFigures(await OracleAsync(job, later), (await ListedAsync(job, later)).Stats!.ToStatistics(later));
        // A day and more on: none of the day's counts is left, the sample stays.
        var gone = (await ListedAsync(job, T0.AddHours(26))).Stats!.ToStatistics(T0.AddHours(26));
        Assert.Equal((0, 0, 0), (gone.RunsLast24Hours, gone.FailuresLast24Hours, gone.NotRunLast24Hours));
        Assert.Equal(21, gone.SampleSize);
        var oracle = await OracleAsync(job, T0.AddHours(26));
        Assert.Equal((0, 0, 0), (oracle.RunsLast24Hours, oracle.FailuresLast24Hours, oracle.NotRunLast24Hours));
    }

    [Fact]
    public async Task JobList_PagesSearchesFiltersAndSorts_InTheStore()
    {
        var token = "l" + Guid.NewGuid().ToString("N")[..10];
        CronJobDefinition Definition(string suffix, string name, bool enabled = true, string description = "", IReadOnlyList<Upstream>? after = null) => new()
        {
            Slug = $"{token}-{suffix}", Name = $"{name} {token}", Description = description, Schedule = "0 * * * *", Enabled = enabled, TimeZone = "UTC",
            TimeoutMs = 1000, MaxRetries = 0, MisfirePolicy = MisfirePolicy.RunOnce, After = after ?? [],
            Factory = _ => throw new InvalidOperationException("not run in store tests"),
        };
        await Jobs.SyncDefinitionsAsync(
        [
            Definition("a", "delta"), Definition("b", "charlie", after: [new Upstream($"{token}-a")]),
            Definition("c", "bravo", description: "needle in the description"), Definition("d", "alpha", enabled: false),
        ], T0, CancellationToken.None);
        var a = (await Jobs.GetJobAsync($"{token}-a", CancellationToken.None))!;
        var b = (await Jobs.GetJobAsync($"{token}-b", CancellationToken.None))!;
        var c = (await Jobs.GetJobAsync($"{token}-c", CancellationToken.None))!;
        // a: two successes (the latest run); b: one final failure (failing); c: running now; d: never ran.
        await RunAsync(a, minutesAgo: 30, ExecutionStatus.Succeeded, 10);
        await RunAsync(a, minutesAgo: 10, ExecutionStatus.Succeeded, 10);
        var failed = await RunAsync(b, minutesAgo: 20, ExecutionStatus.Running, 0);
        Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = failed, Status = ExecutionStatus.Failed, CompletedAt = T0.AddMinutes(-19), DurationMs = 10, Final = true,
        }, CancellationToken.None));
        await RunAsync(c, minutesAgo: 1, ExecutionStatus.Running, 0);

        // "slugs without the token | total", easy to compare and to read in a failure.
        async Task<string> List(JobListQuery query)
        {
            var page = await Admin.ListJobPageAsync(query with { Search = query.Search ?? token }, T0, CancellationToken.None);
            return string.Join(",", page.Rows.Select(r => r.Job.Slug[(token.Length + 1)..])) + "|" + page.Total;
        }

        Assert.Equal("a,b,c,d|4", await List(new JobListQuery()));
        Assert.Equal("b,c|4", await List(new JobListQuery { Offset = 1, Limit = 2 }));
        Assert.Equal("d,c,b,a|4", await List(new JobListQuery { Descending = true }));
        Assert.Equal("c|1", await List(new JobListQuery { Search = "NEEDLE" }));
        Assert.Equal("b|1", await List(new JobListQuery { Search = $"charlie {token}" }));
        Assert.Equal("|0", await List(new JobListQuery { Search = $"{token}%" }));
        Assert.Equal("d|1", await List(new JobListQuery { States = [JobListState.Disabled] }));
        Assert.Equal("b,c|2", await List(new JobListQuery { States = [JobListState.Failing, JobListState.Running] }));
        Assert.Equal("a,b,c|3", await List(new JobListQuery { States = [JobListState.Enabled] }));
        Assert.Equal("a,b|2", await List(new JobListQuery { Chain = true }));
        Assert.Equal("c,d|2", await List(new JobListQuery { Chain = false }));
        Assert.Equal("a,b,c,d|4", await List(new JobListQuery { Source = "code" }));
        Assert.Equal("|0", await List(new JobListQuery { Source = "api" }));
        Assert.Equal("a|1", await List(new JobListQuery { Outcome = JobListOutcome.Succeeded }));
        Assert.Equal("b|1", await List(new JobListQuery { Outcome = JobListOutcome.Failures }));
        Assert.Equal("d|1", await List(new JobListQuery { Outcome = JobListOutcome.Never }));
        Assert.Equal("d,c,b,a|4", await List(new JobListQuery { Sort = JobListSort.Name }));
        Assert.Equal("a,b,c,d|4", await List(new JobListQuery { Sort = JobListSort.Name, Descending = true }));
        // Jobs never run go last whatever the direction; c's run is running, not ended.
        Assert.Equal("a,b,c,d|4", await List(new JobListQuery { Sort = JobListSort.LastRun, Descending = true }));
        Assert.Equal("b,a,c,d|4", await List(new JobListQuery { Sort = JobListSort.LastRun }));
        Assert.Equal("b,a,c,d|4", await List(new JobListQuery { Sort = JobListSort.SuccessRate }));
        Assert.Equal("a,b,c,d|4", await List(new JobListQuery { Sort = JobListSort.Runs, Descending = true }));

        var page = await Admin.ListJobPageAsync(new JobListQuery { Search = $"{token}-b" }, T0, CancellationToken.None);
        // The neighbours the page's dependency views need: its upstream a.
        Assert.Contains(page.Neighbours, n => n.Slug == a.Slug);
        var first = await Admin.ListJobPageAsync(new JobListQuery { Search = $"{token}-a" }, T0, CancellationToken.None);
        Assert.Contains(first.Neighbours, n => n.Slug == b.Slug && n.After.Any(u => u.Slug == a.Slug));
    }
}
