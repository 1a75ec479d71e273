namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>The job's roll-ups over a period: counts by status, success rate, durations, lateness (viewer).</summary>
    Task<JobTrend> GetJobTrendAsync(string slug, TrendPeriod period = TrendPeriod.Hours24, CancellationToken cancellationToken = default);

    /// <summary>Every job's runs and failure rate over a period (viewer).</summary>
    Task<FailureRates> GetFailureRatesAsync(TrendPeriod period = TrendPeriod.Days7, CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<JobTrend> GetJobTrendAsync(string slug, TrendPeriod period = TrendPeriod.Hours24, CancellationToken cancellationToken = default) =>
        SendAsync<JobTrend>(HttpMethod.Get, $"jobs/{Segment(slug)}/trend" + new QueryString().Add("period", PeriodName(period)), null, cancellationToken);

    /// <inheritdoc />
    public Task<FailureRates> GetFailureRatesAsync(TrendPeriod period = TrendPeriod.Days7, CancellationToken cancellationToken = default) =>
        SendAsync<FailureRates>(HttpMethod.Get, "failure-rates" + new QueryString().Add("period", PeriodName(period)), null, cancellationToken);

    private static string PeriodName(TrendPeriod period) => period switch
    {
        TrendPeriod.Hours24 => "24h",
        TrendPeriod.Days7 => "7d",
        TrendPeriod.Days30 => "30d",
        TrendPeriod.Year => "1y",
        _ => throw new ArgumentOutOfRangeException(nameof(period), period, "Unknown trend period."),
    };
}
