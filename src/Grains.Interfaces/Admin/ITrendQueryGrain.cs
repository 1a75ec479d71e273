namespace Totallator.Grains.Interfaces.Admin;

/// <summary>
/// The read side of the roll-ups (docs/analytics.md): a job's trend over a period and every job's failure rate. A stateless
/// worker (use key 0) reading the roll-up tables; no job grain is woken. Store outages surface as <see cref="StoreUnavailableException"/>.
/// </summary>
[Alias("totallator.ITrendQueryGrain")]
public interface ITrendQueryGrain : IGrainWithIntegerKey
{
    /// <summary>One job's buckets and totals over the period; throws <see cref="Jobs.CronJobNotFoundException"/> for an unknown slug.</summary>
    [Alias("GetTrend")]
    Task<JobTrend> GetTrendAsync(string slug, TrendPeriod period);

    /// <summary>Every job's runs and failure rate over the period, by slug.</summary>
    [Alias("GetFailureRates")]
    Task<FailureRates> GetFailureRatesAsync(TrendPeriod period);
}
