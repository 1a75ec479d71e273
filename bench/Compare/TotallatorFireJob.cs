using System.Globalization;
using Totallator.Grains.Jobs;

namespace Totallator.Bench.Compare;

/// <summary>
/// The Totallator side of --compare: a no-op job whose body hands (its index, the occurrence instant it runs for, now) to the
/// shared <see cref="FireRecorder"/>, as the Quartz and Hangfire job bodies do. Registered instead of <see cref="NoopJob"/> when
/// the silo runs with <see cref="FireRecorder.ConnectionVariable"/> set; its ledger row is written as usual.
/// </summary>
public sealed class TotallatorFireJob(FireRecorder recorder) : ICronJob
{
    public Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        recorder.Record(JobIndex(context.JobSlug), context.ScheduledFor);
        return Task.FromResult(CronJobResult.Succeeded());
    }

    /// <summary>bench-000123 → 123 (SiloRole's slugs).</summary>
    public static int JobIndex(string slug) => int.Parse(slug.AsSpan(slug.LastIndexOf('-') + 1), NumberStyles.Integer, CultureInfo.InvariantCulture);
}
