using Npgsql;

namespace Totallator.Bench.Measurements;

/// <summary>
/// Fires per second: occurrences of the window that ran, over its length, against N per period. Tracked executions per
/// second: rows completed (any status) inside the window, over its length: the history the store sustained.
/// </summary>
public sealed record ThroughputFigures(double ExpectedFiresPerS, double FiresPerS, double TrackedExecutionsPerS);

public static class ThroughputQuery
{
    public static async Task<ThroughputFigures> MeasureAsync(NpgsqlDataSource database, MeasurementWindow window, OccurrenceFigures occurrences,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(occurrences);
        await using var command = database.CreateCommand("SELECT count(*) FROM cronJobExecution WHERE completedAt >= @from AND completedAt < @to");
        command.Parameters.AddWithValue("from", window.From.ToUniversalTime());
        command.Parameters.AddWithValue("to", window.To.ToUniversalTime());
        var completed = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new ThroughputFigures(
            Math.Round(occurrences.Expected / window.Seconds, 1),
            Math.Round(occurrences.Ran / window.Seconds, 1),
            Math.Round(completed / window.Seconds, 1));
    }
}
