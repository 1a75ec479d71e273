using System.Globalization;
using Npgsql;

namespace Totallator.Bench.Measurements;

/// <summary>
/// After kill -9 of one silo: the jobs it owned (their last row started before the kill carries its address in
/// <c>leaseOwner</c>), how long each took to start a run on another silo, which never did within the window, and the ledger of
/// those jobs over the window (missed, abandoned, duplicate occurrences around the kill).
/// </summary>
public sealed record FailoverFigures
{
    public required string KilledSilo { get; init; }
    /// <summary>Seconds into the window.</summary>
    public required double KilledAtS { get; init; }
    public required double HeartbeatS { get; init; }
    public long OwnedJobs { get; init; }
    public long Recovered { get; init; }
    /// <summary>Owned jobs with no run started elsewhere before the window ended.</summary>
    public long NeverRecovered { get; init; }
    public double? RecoveryMinMs { get; init; }
    public double? RecoveryP50Ms { get; init; }
    public double? RecoveryP95Ms { get; init; }
    public double? RecoveryMaxMs { get; init; }
    public OccurrenceFigures? OwnedJobsOccurrences { get; init; }
}

public static class FailoverProbe
{
    public static async Task<FailoverFigures> MeasureAsync(NpgsqlDataSource database, MeasurementWindow window, SiloProcess killed,
        DateTimeOffset killedAt, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(killed);
        await using var command = database.CreateCommand("""
            WITH last_before AS (
                SELECT DISTINCT ON (cronJobId) cronJobId, leaseOwner
                FROM cronJobExecution
                WHERE startedAt < @kill
                ORDER BY cronJobId, startedAt DESC)
            SELECT l.cronJobId,
                   (SELECT extract(epoch FROM min(e.startedAt) - @kill)::float8 * 1000
                    FROM cronJobExecution e
                    WHERE e.cronJobId = l.cronJobId AND e.startedAt >= @kill AND e.startedAt < @to AND e.leaseOwner NOT LIKE @owner)
            FROM last_before l
            WHERE l.leaseOwner LIKE @owner
            """);
        command.Parameters.AddWithValue("kill", killedAt.ToUniversalTime());
        command.Parameters.AddWithValue("to", window.To.ToUniversalTime());
        // SiloAddress.ToString(): S<ip>:<port>:<generation>.
        command.Parameters.AddWithValue("owner", string.Create(CultureInfo.InvariantCulture, $"%:{killed.Port}:%"));
        var owned = new List<Guid>();
        var delays = new List<double>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                owned.Add(reader.GetGuid(0));
                if (!reader.IsDBNull(1))
                {
                    delays.Add(reader.GetDouble(1));
                }
            }
        }
        delays.Sort();
        return new FailoverFigures
        {
            KilledSilo = killed.Label,
            KilledAtS = Math.Round((killedAt - window.From).TotalSeconds, 2),
            HeartbeatS = heartbeat.TotalSeconds,
            OwnedJobs = owned.Count,
            Recovered = delays.Count,
            NeverRecovered = owned.Count - delays.Count,
            RecoveryMinMs = delays.Count > 0 ? Math.Round(delays[0]) : null,
            RecoveryP50Ms = Percentile(delays, 0.50),
            RecoveryP95Ms = Percentile(delays, 0.95),
            RecoveryMaxMs = delays.Count > 0 ? Math.Round(delays[^1]) : null,
            OwnedJobsOccurrences = owned.Count > 0 ? await OccurrenceLedger.MeasureAsync(database, window, owned, cancellationToken) : null,
        };
    }

    /// <summary>Linear interpolation between closest ranks, as percentile_cont does.</summary>
    private static double? Percentile(List<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return null;
        }
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Count - 1);
        return Math.Round(sorted[low] + (sorted[high] - sorted[low]) * (rank - low));
    }
}
