using Npgsql;

namespace Totallator.Bench.Measurements;

/// <summary>
/// Firing lateness as the job itself measured it (its start minus the instant it was due, <c>metrics.latenessMs</c>) over the
/// succeeded scheduled rows of the window. Beside it, when the grain's tick began the claim (<c>startedAt</c>, taken before the
/// claim's INSERT, minus the instant): timer lateness plus the tick's work before the claim. The difference between the two is
/// the claim's round trip and the hand-off to the thread pool.
/// </summary>
public sealed record LatenessFigures(long Samples, double? MinMs, double? P50Ms, double? P95Ms, double? P99Ms, double? MaxMs,
    double? ClaimStartP50Ms, double? ClaimStartP99Ms);

public static class LatenessQuery
{
    public static async Task<LatenessFigures> MeasureAsync(NpgsqlDataSource database, MeasurementWindow window, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(window);
        await using var command = database.CreateCommand($"""
            WITH r AS (
                SELECT (metrics->>'{NoopJob.LatenessMetric}')::float8 AS lateness,
                       extract(epoch FROM startedAt - scheduledFor)::float8 * 1000 AS claimStart
                FROM cronJobExecution
                WHERE status = 'succeeded' AND triggeredBy IN ('scheduler', 'catch-up')
                  AND scheduledFor >= @from AND scheduledFor < @to AND metrics ? '{NoopJob.LatenessMetric}')
            SELECT count(*),
                   percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY lateness),
                   min(lateness), max(lateness),
                   percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY claimStart)
            FROM r
            """);
        command.Parameters.AddWithValue("from", window.From.ToUniversalTime());
        command.Parameters.AddWithValue("to", window.To.ToUniversalTime());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var samples = reader.GetInt64(0);
        if (samples == 0)
        {
            return new LatenessFigures(0, null, null, null, null, null, null, null);
        }
        var lateness = reader.GetFieldValue<double[]>(1);
        var claimStart = reader.GetFieldValue<double[]>(4);
        return new LatenessFigures(samples, R(reader.GetDouble(2)), R(lateness[0]), R(lateness[1]), R(lateness[2]), R(reader.GetDouble(3)),
            R(claimStart[0]), R(claimStart[1]));
    }

    private static double R(double value) => Math.Round(value, 1);
}
