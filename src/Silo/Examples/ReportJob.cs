using Totallator.Grains.Jobs;

namespace Totallator.Silo.Examples;

/// <summary>Example: a job that does some work for a few seconds, honours its token, and fails now and then, so retries show.</summary>
public sealed class ReportJob : ICronJob
{
    public async Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var items = 0;
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(100, context.CancellationToken);
            items += 50;
        }
        // Fails on every fifth minute's first attempt, to show a retry in the history.
        if (context.ScheduledFor.Minute % 5 == 0 && context.RetryCount == 0)
        {
            return CronJobResult.Failure("Upstream report service answered 503 (simulated); will retry.");
        }
        return CronJobResult.Succeeded($"Compiled report from {items} rows", items);
    }
}
