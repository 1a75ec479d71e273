using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Analytics;

/// <summary>The roll-ups' read side: a stateless worker answering from the store on every silo; no job grain is woken.</summary>
[StatelessWorker]
public sealed class TrendQueryGrain(IJobStore jobs, IRollupStore rollups, TimeProvider timeProvider, ILogger<TrendQueryGrain> logger)
    : Grain, ITrendQueryGrain
{
    public Task<JobTrend> GetTrendAsync(string slug, TrendPeriod period) => StoreGuard.RunAsync(logger, "reading a job's trend", async () =>
    {
        var job = await jobs.GetJobAsync(slug ?? "", CancellationToken.None) ?? throw new CronJobNotFoundException($"No job with slug '{slug}'.");
        var now = timeProvider.GetUtcNow();
        var (from, to) = TrendViews.Range(period, now);
        var rows = await rollups.ReadBucketsAsync(job.Id, period.BucketSize(), from, to, CancellationToken.None);
        var last = await rollups.ReadLastPassAsync(CancellationToken.None);
        return TrendViews.Trend(job.Slug, period, now, rows, last?.At);
    });

    public Task<FailureRates> GetFailureRatesAsync(TrendPeriod period) => StoreGuard.RunAsync(logger, "reading failure rates", async () =>
    {
        var now = timeProvider.GetUtcNow();
        var (from, to) = TrendViews.Range(period, now);
        var list = await jobs.ListJobsAsync(CancellationToken.None);
        var counts = await rollups.ReadCountsAsync(period.BucketSize(), from, to, CancellationToken.None);
        var last = await rollups.ReadLastPassAsync(CancellationToken.None);
        return TrendViews.FailureRates(period, now, list.Select(j => (j.Id, j.Slug)), counts, last?.At);
    });
}
