using System.Globalization;

namespace Totallator.Bench;

/// <summary>
/// The RSS of a silo with no jobs (fresh database, started, active, a few seconds to settle), the baseline memory per job is
/// counted above.
/// </summary>
public static class Baseline
{
    private const string Scope = "baseline";
    private static readonly TimeSpan _settle = TimeSpan.FromSeconds(2);

    /// <summary>The 0-job silo's RSS in KB, or null (with the reason logged) when it could not be measured.</summary>
    public static async Task<double?> MeasureRssKbAsync(string server, TimeSpan heartbeat, string logDirectory, CancellationToken cancellationToken)
    {
        using var phase = Progress.Phase(Scope, "0-job silo for the memory baseline");
        var database = await BenchDatabase.CreateAsync(server, cancellationToken);
        try
        {
            await using var cluster = SiloCluster.Start(1, 0, "*/5 * * * * *", 1, heartbeat, database.ConnectionString, logDirectory);
            await cluster.WaitReadyAsync(cancellationToken);
            await Task.Delay(_settle, cancellationToken);
            if (ProcessStats.Read(cluster.Silos[0].Pid) is not { } sample)
            {
                phase.Done("could not read /proc; memory per job will be RSS / N");
                return null;
            }
            phase.Done(string.Create(CultureInfo.InvariantCulture, $"RSS {ProcessStats.Mb(sample.RssKb):0.0} MB"));
            return sample.RssKb;
        }
        catch (BenchException ex)
        {
            Progress.Log(Scope, "no baseline (memory per job will be RSS / N): " + ex.Message);
            return null;
        }
        finally
        {
            await database.DisposeAsync();
        }
    }
}
