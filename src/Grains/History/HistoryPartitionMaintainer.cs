using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Totallator.Grains.History;

/// <summary>
/// Keeps the daily partitions of <c>cronJobExecution</c> ahead of time (0015): every silo, at start and every
/// <see cref="HistoryPartitionOptions.PartitionInterval"/>, asks for today through <see cref="HistoryPartitionOptions.PartitionDaysAhead"/>
/// days ahead; one silo at a time creates what is missing. A pass that fails costs nothing but the default partition's
/// growth: rows of a day without a partition go there and move out when it is created.
/// </summary>
public sealed partial class HistoryPartitionMaintainer(NpgsqlDataSource dataSource, IOptions<HistoryPartitionOptions> options, TimeProvider timeProvider,
    ILogger<HistoryPartitionMaintainer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PartitionInterval, timeProvider);
        try
        {
            do
            {
                await RunOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass; a failure is logged and left to the next interval.</summary>
    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            var created = await PostgresHistoryPartitions.EnsureAsync(dataSource, timeProvider.GetUtcNow(), options.Value.PartitionDaysAhead, cancellationToken);
            if (created > 0)
            {
                LogCreated(logger, created);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 3900, Level = LogLevel.Information, Message = "History partitions: {Created} day(s) created ahead")]
    private static partial void LogCreated(ILogger logger, int created);

    [LoggerMessage(EventId = 3901, Level = LogLevel.Warning, Message = "History partitions: pass failed; rows of days without a partition go to the default one until the next pass")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
