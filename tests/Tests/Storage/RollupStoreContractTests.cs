using Totallator.Grains.Analytics;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// What every <see cref="IRollupStore"/> must do (docs/analytics.md), over the job store whose history it rolls up. Run against
/// PostgreSQL and in memory, each test on a store of its own (the pass's memory of its last run is store-wide). Times are the
/// real clock's: the stores judge by their own (the database's).
/// </summary>
public abstract class RollupStoreContractTests
{
    protected static readonly RollupPolicy Policy = new(KeepDays: 400, HourlyKeepDays: 14, LateEndGrace: TimeSpan.FromMinutes(10));

    protected abstract IJobStore Jobs { get; }
    protected abstract IAdminStore Admin { get; }
    protected abstract IRollupStore Rollups { get; }

    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private async Task<JobRecord> SeedJobAsync()
    {
        var slug = "r" + Guid.NewGuid().ToString("N")[..12];
        var definition = new CronJobDefinition
        {
            Slug = slug, Name = "Name of " + slug, Schedule = "0 * * * *", TimeoutMs = 60_000, TimeZone = "UTC", MaxRetries = 0,
            MisfirePolicy = MisfirePolicy.RunOnce, Factory = _ => throw new InvalidOperationException("not run in store tests"),
        };
        await Jobs.SyncDefinitionsAsync([definition], Now.AddDays(-30), CancellationToken.None);
        return (await Jobs.GetJobAsync(slug, CancellationToken.None))!;
    }

    /// <summary>An attempt that started <paramref name="lateMs"/> after its instant and ended at <paramref name="end"/>.</summary>
    private async Task EndAsync(JobRecord job, DateTimeOffset end, ExecutionStatus status, long durationMs, long lateMs = 0,
        TriggerSource source = TriggerSource.Scheduler, double? memory = null, double? cpu = null)
    {
        var started = end.AddMilliseconds(-durationMs);
        var claim = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "s:" + Guid.NewGuid().ToString("N"),
            ScheduledFor = started.AddMilliseconds(-lateMs), StartedAt = started, TriggeredBy = source, RetryCount = 0, LeaseOwner = "silo-a",
            LeaseDuration = TimeSpan.FromMinutes(5), AdvancesSchedule = false,
        };
        Assert.True(await Jobs.TryClaimAsync(claim, CancellationToken.None));
        Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = status, StartedAt = started, CompletedAt = end, DurationMs = durationMs,
            MemoryUsageMb = memory, CpuUsagePercent = cpu,
        }, CancellationToken.None));
    }

    private async Task UnrunAsync(JobRecord job, DateTimeOffset at, ExecutionStatus status) => Assert.True(await Jobs.RecordUnrunAsync(
    [
        new UnrunOccurrence
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "s:" + Guid.NewGuid().ToString("N"), ScheduledFor = at,
            Status = status, Reason = "test", RecordedAt = at, AdvancesSchedule = false,
        },
    ], CancellationToken.None));

    private async Task<TrendBucket?> BucketAsync(JobRecord job, TrendBucketSize size, DateTimeOffset at)
    {
        var start = RollupPlanner.Floor(at, size);
        var rows = await Rollups.ReadBucketsAsync(job.Id, size, start, start + RollupPlanner.Width(size), CancellationToken.None);
        return rows.SingleOrDefault();
    }

    private async Task<RollupPassResult> PassAsync(RollupPolicy? policy = null) =>
        await Rollups.RunPassAsync(policy ?? Policy, CancellationToken.None) ?? throw new InvalidOperationException("The pass found its lock taken.");

    [Fact]
    public async Task APass_RollsUpAnHoursEnds_WithExactPercentilesAndPeaks()
    {
        var job = await SeedJobAsync();
        // 20 ended attempts in one past hour (durations 10..200 ms): 15 succeeded, 3 failed, 1 timed out, 1 abandoned; the
        // scheduler's start i ms late, except two manual runs 5 s late (not lateness: nobody scheduled them); one skipped, one missed.
        var hour = RollupPlanner.Floor(Now, TrendBucketSize.Hour).AddHours(-2);
        for (var i = 1; i <= 20; i++)
        {
            var status = i switch { 3 or 7 or 11 => ExecutionStatus.Failed, 15 => ExecutionStatus.TimedOut, 19 => ExecutionStatus.Abandoned, _ => ExecutionStatus.Succeeded };
            var manual = i is 5 or 6;
            await EndAsync(job, hour.AddMinutes(i * 2), status, durationMs: i * 10, lateMs: manual ? 5_000 : i,
                manual ? TriggerSource.Manual : TriggerSource.Scheduler, memory: 10 + i, cpu: i == 4 ? 97.5 : 20);
        }
        await UnrunAsync(job, hour.AddMinutes(50), ExecutionStatus.Skipped);
        await UnrunAsync(job, hour.AddMinutes(51), ExecutionStatus.Missed);

        var pass = await PassAsync();

        Assert.True(pass.Windows > 0);
        var b = await BucketAsync(job, TrendBucketSize.Hour, hour);
        Assert.NotNull(b);
        Assert.Equal(hour, b.Start);
        Assert.Equal((22, 15, 3, 1, 1, 1, 1), (b.Runs, b.Succeeded, b.Failed, b.TimedOut, b.Abandoned, b.Skipped, b.Missed));
        Assert.Equal(0.75, b.SuccessRate);
        Assert.Equal(105, b.DurationP50Ms);
        // percentile_cont: rank 0.95 × 19 = 18.05, between 190 and 200.
        Assert.Equal(190.5, b.DurationP95Ms!.Value, 6);
        Assert.Equal(200, b.DurationMaxMs);
        // Lateness of the 18 scheduled starts: 1..4 and 7..20 ms. p50 between the 9th and 10th (11 and 12); p99 at rank 16.83.
        Assert.Equal(11.5, b.LatenessP50Ms!.Value, 3);
        Assert.Equal(19.83, b.LatenessP99Ms!.Value, 3);
        Assert.Equal(30, b.MemoryPeakMb);
        Assert.Equal(97.5, b.CpuPeakPercent);
        var day = await BucketAsync(job, TrendBucketSize.Day, hour);
        Assert.NotNull(day);
        Assert.Equal(RollupPlanner.Floor(hour, TrendBucketSize.Day), day.Start);
        Assert.Equal(b with { Start = day.Start }, day);
        Assert.Equal(pass.At, (await Rollups.ReadLastPassAsync(CancellationToken.None))!.At);
    }

    [Fact]
    public async Task TheFirstPass_BackFillsTheDaysOfHistory_ButNoBucketTheCleanupCutInto()
    {
        var job = await SeedJobAsync();
        await EndAsync(job, Now.AddDays(-3), ExecutionStatus.Succeeded, 100);
        await EndAsync(job, Now.AddDays(-2).AddMinutes(-30), ExecutionStatus.Failed, 100);
        await EndAsync(job, Now.AddDays(-2).AddMinutes(90), ExecutionStatus.Succeeded, 300);
        await EndAsync(job, Now.AddDays(-1), ExecutionStatus.Succeeded, 200);
        // The cleanup deletes what ended more than 2 days ago: the first two attempts.
        var cleanup = await Admin.CleanupAsync(CleanupCutoffs.At(Now, 2, 365), new AuditEntry
        {
            Id = Guid.CreateVersion7(), At = Now, Actor = "history-cleanup", Action = "executions.cleanup",
        }, CancellationToken.None);
        Assert.Equal(2, cleanup.Deleted);

        await PassAsync();

        // The day and the hour the cutoff fell in lost rows: no roll-up rather than an undercount. Those after it are whole.
        var cutoff = Now.AddDays(-2);
        Assert.Null(await BucketAsync(job, TrendBucketSize.Day, Now.AddDays(-3)));
        Assert.Null(await BucketAsync(job, TrendBucketSize.Day, cutoff));
        Assert.Null(await BucketAsync(job, TrendBucketSize.Hour, cutoff.AddMinutes(-30)));
        var afterCutoff = await BucketAsync(job, TrendBucketSize.Hour, cutoff.AddMinutes(90));
        Assert.Equal((1, 300L), (afterCutoff!.Runs, afterCutoff.DurationMaxMs!.Value));
        // Yesterday's bucket holds the attempt of a day ago, and the one of 90 minutes after the cutoff when both fall on that day.
        var yesterday = await BucketAsync(job, TrendBucketSize.Day, Now.AddDays(-1));
        var sameDay = RollupPlanner.Floor(cutoff.AddMinutes(90), TrendBucketSize.Day) == RollupPlanner.Floor(Now.AddDays(-1), TrendBucketSize.Day);
        Assert.Equal(sameDay ? 2 : 1, yesterday!.Runs);
    }

    [Fact]
    public async Task ALaterPass_AddsNewEnds_AndEndsThatLandedLateWithinTheGrace_ButLeavesOldBucketsAlone()
    {
        var job = await SeedJobAsync();
        await EndAsync(job, Now.AddDays(-5), ExecutionStatus.Succeeded, 100);
        await EndAsync(job, Now.AddMinutes(-20), ExecutionStatus.Succeeded, 100);
        var first = await PassAsync();
        var oldDay = await BucketAsync(job, TrendBucketSize.Day, Now.AddDays(-5));
        Assert.Equal(1, oldDay!.Runs);

        // An end written after the first pass, though it ended before it (a completion retried through an outage), and a new one.
        await EndAsync(job, first.At.AddMinutes(-3), ExecutionStatus.Failed, 400);
        await EndAsync(job, DateTimeOffset.UtcNow, ExecutionStatus.Succeeded, 100);
        // History of an old day that appeared since (no real run does this): a steady pass does not look there.
        await EndAsync(job, Now.AddDays(-5).AddMinutes(1), ExecutionStatus.Failed, 100);
        var second = await PassAsync();

        Assert.True(second.Windows <= 4, $"a steady pass recomputes the recent buckets only; it recomputed {second.Windows} windows");
        var today = DateTimeOffset.UtcNow;
        var days = await Rollups.ReadBucketsAsync(job.Id, TrendBucketSize.Day, RollupPlanner.Floor(Now.AddMinutes(-20), TrendBucketSize.Day),
            RollupPlanner.Floor(today, TrendBucketSize.Day).AddDays(1), CancellationToken.None);
        Assert.Equal(3, days.Sum(d => d.Runs));
        Assert.Equal(1, days.Sum(d => d.Failed));
        Assert.Equal(400, days.Max(d => d.DurationMaxMs));
        Assert.Equal(oldDay, await BucketAsync(job, TrendBucketSize.Day, Now.AddDays(-5)));
    }

    [Fact]
    public async Task BucketsPastTheirKeep_AreDeleted()
    {
        var job = await SeedJobAsync();
        await EndAsync(job, Now.AddDays(-5), ExecutionStatus.Succeeded, 100);
        await EndAsync(job, Now.AddMinutes(-1), ExecutionStatus.Succeeded, 100);
        await PassAsync();
        Assert.NotNull(await BucketAsync(job, TrendBucketSize.Hour, Now.AddDays(-5)));
        Assert.NotNull(await BucketAsync(job, TrendBucketSize.Day, Now.AddDays(-5)));

        var pass = await PassAsync(new RollupPolicy(KeepDays: 3, HourlyKeepDays: 2, Policy.LateEndGrace));

        Assert.True(pass.BucketsDeleted >= 2);
        Assert.Null(await BucketAsync(job, TrendBucketSize.Hour, Now.AddDays(-5)));
        Assert.Null(await BucketAsync(job, TrendBucketSize.Day, Now.AddDays(-5)));
        Assert.NotNull(await BucketAsync(job, TrendBucketSize.Day, Now.AddMinutes(-1)));
    }

    [Fact]
    public async Task APassSoonAfterAnother_IsSkipped_AsAnotherSilosWouldBe()
    {
        var job = await SeedJobAsync();
        await EndAsync(job, Now.AddMinutes(-1), ExecutionStatus.Succeeded, 100);
        var spaced = Policy with { MinimumSpacing = TimeSpan.FromHours(1) };
        var first = await Rollups.RunPassAsync(spaced, CancellationToken.None);

        Assert.NotNull(first);
        Assert.Null(await Rollups.RunPassAsync(spaced, CancellationToken.None));
        Assert.Equal(first.At, (await Rollups.ReadLastPassAsync(CancellationToken.None))!.At);
    }

    [Fact]
    public async Task Counts_SumEachJobsBucketsInTheRange()
    {
        var a = await SeedJobAsync();
        var b = await SeedJobAsync();
        var quiet = await SeedJobAsync();
        await EndAsync(a, Now.AddDays(-3), ExecutionStatus.Failed, 100);
        await EndAsync(a, Now.AddDays(-2), ExecutionStatus.Succeeded, 100);
        await EndAsync(a, Now.AddDays(-2), ExecutionStatus.TimedOut, 100);
        await UnrunAsync(a, Now.AddDays(-2), ExecutionStatus.Missed);
        await EndAsync(a, Now.AddDays(-20), ExecutionStatus.Failed, 100);
        await EndAsync(b, Now.AddDays(-1), ExecutionStatus.Succeeded, 100);
        await PassAsync();

        var today = RollupPlanner.Floor(Now, TrendBucketSize.Day);
        var counts = await Rollups.ReadCountsAsync(TrendBucketSize.Day, today.AddDays(-6), today.AddDays(1), CancellationToken.None);

        Assert.Equal(new RollupCounts(4, 3, 2), counts[a.Id]);
        Assert.Equal(new RollupCounts(1, 1, 0), counts[b.Id]);
        Assert.False(counts.ContainsKey(quiet.Id));
    }
}
