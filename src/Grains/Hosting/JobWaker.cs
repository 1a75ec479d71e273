using Microsoft.Extensions.Logging;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Hosting;

/// <summary>
/// Asks job grains to reload and plan, many at a time: at start-up (new and changed jobs) and when a silo died (its jobs).
/// A grain activates wherever placement puts it, catches up what it missed by its misfire policy, and arms its next occurrence.
/// </summary>
public sealed partial class JobWaker(IGrainFactory grains, ILogger<JobWaker> logger)
{
    // Jobs woken at once. Each wake-up is a few round trips (its load, then a claim shared with other jobs' claims), so the
    // rate is this over their latency: 32 woke about 250 jobs a second at 100,000 jobs. The loads themselves take turns in the
    // store's slots (SchedulerOptions.JobLoadSlots), which keep the connection pool from running dry.
    private const int Parallelism = 256;

    /// <summary>Wakes every job of <paramref name="slugs"/>; a job that cannot be woken is left to its heartbeat reminder.</summary>
    public async Task WakeAsync(IReadOnlyList<string> slugs, string why, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slugs);
        try
        {
            await Parallel.ForEachAsync(slugs, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
                async (slug, _) =>
                {
                    try
                    {
                        await grains.GetGrain<ICronJobGrain>(slug).ReloadAsync();
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // One bad job must not stop the others.
                        LogWakeFailed(logger, ex, slug, why);
                    }
                });
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping: whoever hosts these jobs next plans them.
        }
    }

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Could not wake job {JobSlug} ({Why}); its heartbeat reminder will")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, string jobSlug, string why);
}
