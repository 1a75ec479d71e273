using Npgsql;

namespace Totallator.Bench.Measurements;

/// <summary>
/// The ledger check: for every job and every occurrence instant of the window, exactly one row, succeeded. Counted from
/// <c>cronJobExecution</c> when the measurement runs (a few seconds after the window): an occurrence with no row by then is
/// <see cref="Unrecorded"/> (not fired, or not written yet); more than one row for one (job, instant), under any occurrence key
/// or retry, is a duplicate.
/// </summary>
public sealed record OccurrenceFigures
{
    public long Expected { get; init; }
    /// <summary>Exactly one row and it succeeded.</summary>
    public long ExactlyOnce { get; init; }
    /// <summary>At least one succeeded row: the occurrence ran.</summary>
    public long Ran { get; init; }
    /// <summary>No row at all when measured.</summary>
    public long Unrecorded { get; init; }
    /// <summary>Occurrences with more than one row.</summary>
    public long Duplicates { get; init; }
    /// <summary>Occurrences that ran (succeeded) more than once: the fence failed.</summary>
    public long RanTwice { get; init; }
    /// <summary>Rows in the window whose instant is not on the schedule (should be 0).</summary>
    public long OffGridRows { get; init; }
    /// <summary>Rows in the window by status (succeeded, missed, skipped, abandoned, failed, timed_out, running).</summary>
    public IReadOnlyDictionary<string, long> Statuses { get; init; } = new Dictionary<string, long>();
    /// <summary>Rows run as a catch-up (late past the misfire threshold, after downtime).</summary>
    public long CatchUpRows { get; init; }
    /// <summary>For each status other than succeeded, the reason recorded on its earliest row (statusReason, else errorMessage).</summary>
    public IReadOnlyDictionary<string, string> ExampleReasons { get; init; } = new Dictionary<string, string>();

    public long Status(string status) => Statuses.GetValueOrDefault(status);

    /// <summary>Rows not ended when measured: running, or claimed ahead of their instant.</summary>
    public long Unended => Status("running") + Status("claimed");
}

public static class OccurrenceLedger
{
    /// <summary>Checks the window for all jobs, or only for <paramref name="jobIds"/>.</summary>
    public static async Task<OccurrenceFigures> MeasureAsync(NpgsqlDataSource database, MeasurementWindow window, IReadOnlyList<Guid>? jobIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(window);
        await using var batch = database.CreateBatch();
        batch.BatchCommands.Add(Command("""
            WITH jobs AS (SELECT id, substring(slug FROM 7)::int AS index FROM cronJob WHERE @all OR id = ANY(@ids)),
            per AS (
                SELECT count(r.id) AS n, count(r.id) FILTER (WHERE r.status = 'succeeded') AS ok
                FROM jobs j JOIN unnest(@instants::timestamptz[]) AS i(t)
                     ON extract(epoch FROM i.t)::bigint % @period % @spread = j.index % @spread
                LEFT JOIN cronJobExecution r ON r.cronJobId = j.id AND r.scheduledFor = i.t AND r.triggeredBy <> 'manual'
                GROUP BY j.id, i.t)
            SELECT count(*), count(*) FILTER (WHERE n = 1 AND ok = 1), count(*) FILTER (WHERE ok >= 1),
                   count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n > 1), count(*) FILTER (WHERE ok > 1)
            FROM per
            """, window, jobIds));
        batch.BatchCommands.Add(Command("""
            SELECT status, count(*), count(*) FILTER (WHERE triggeredBy = 'catch-up'), count(*) FILTER (WHERE scheduledFor <> ALL(@instants::timestamptz[]))
            FROM cronJobExecution
            WHERE scheduledFor >= @from AND scheduledFor < @to AND triggeredBy <> 'manual' AND (@all OR cronJobId = ANY(@ids))
            GROUP BY status
            """, window, jobIds));
        batch.BatchCommands.Add(Command("""
            SELECT DISTINCT ON (status) status, left(coalesce(statusReason, errorMessage, ''), 300)
            FROM cronJobExecution
            WHERE scheduledFor >= @from AND scheduledFor < @to AND triggeredBy <> 'manual' AND (@all OR cronJobId = ANY(@ids))
              AND status <> 'succeeded'
            ORDER BY status, scheduledFor
            """, window, jobIds));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var figures = new OccurrenceFigures
        {
            Expected = reader.GetInt64(0), ExactlyOnce = reader.GetInt64(1), Ran = reader.GetInt64(2),
            Unrecorded = reader.GetInt64(3), Duplicates = reader.GetInt64(4), RanTwice = reader.GetInt64(5),
        };
        await reader.NextResultAsync(cancellationToken);
        var statuses = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long catchUp = 0, offGrid = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses[reader.GetString(0)] = reader.GetInt64(1);
            catchUp += reader.GetInt64(2);
            offGrid += reader.GetInt64(3);
        }
        await reader.NextResultAsync(cancellationToken);
        var reasons = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            reasons[reader.GetString(0)] = reader.GetString(1);
        }
        return figures with { Statuses = statuses, CatchUpRows = catchUp, OffGridRows = offGrid, ExampleReasons = reasons };
    }

    private static NpgsqlBatchCommand Command(string sql, MeasurementWindow window, IReadOnlyList<Guid>? jobIds)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddWithValue("all", jobIds is null);
        command.Parameters.AddWithValue("ids", (jobIds ?? []).ToArray());
        command.Parameters.AddWithValue("instants", window.Instants.Select(i => i.ToUniversalTime()).ToArray());
        command.Parameters.AddWithValue("spread", window.Spread);
        command.Parameters.AddWithValue("period", window.Spread > 1 ? window.SpreadPeriod : 1);
        command.Parameters.AddWithValue("from", window.From.ToUniversalTime());
        command.Parameters.AddWithValue("to", window.To.ToUniversalTime());
        return command;
    }
}
