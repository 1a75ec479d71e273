using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Hosting;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Dependencies;

/// <summary>
/// The durable half of telling a downstream job that its upstreams ended: every silo, every
/// <see cref="SchedulerOptions.DependencySweepInterval"/>, wakes the jobs whose upstreams have all signalled them for longer than
/// that. The upstream's own one-way call is the fast half; this one covers a call lost with its silo, a job that could not act
/// then (the database down), and edges its upstream's activation did not know of yet. Waking twice runs nothing twice: the
/// claim consumes the signals.
/// </summary>
public sealed partial class DependencySweep(IDependencyStore store, IGrainFactory grains, IOptions<SchedulerOptions> options, TimeProvider timeProvider,
    ILogger<DependencySweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.DependencySweepInterval;
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    foreach (var slug in await store.FindReadyDownstreamsAsync(interval, stoppingToken))
                    {
                        LogWaking(logger, slug);
                        grains.GetGrain<ICronJobGrain>(slug).UpstreamEndedAsync().Ignore();
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSweepFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(EventId = 3501, Level = LogLevel.Information, Message = "Job {JobSlug}: its upstreams signalled it a while ago and it has not run; waking it")]
    private static partial void LogWaking(ILogger logger, string jobSlug);

    [LoggerMessage(EventId = 3502, Level = LogLevel.Warning, Message = "The dependency sweep could not read pending signals; retrying next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
