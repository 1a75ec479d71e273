using Npgsql;
using Totallator.Bench.Measurements;

namespace Totallator.Bench.Compare;

/// <summary>
/// Exactly-once and lateness from <c>benchFire</c>, the same query for every scheduler. Expected: every (job, instant) of the
/// window on the job's own schedule. Lateness: the first fire's start minus the instant. "Before the kill": instants due before
/// the kill -9 (steady state); "window": all of them.
/// </summary>
public sealed record FireFigures
{
    public long Expected { get; init; }
    public long ExactlyOnce { get; init; }
    /// <summary>(job, instant) fired two or more times.</summary>
    public long TwiceOrMore { get; init; }
    public long Never { get; init; }
    public long NeverBeforeKill { get; init; }
    public long NeverAfterKill { get; init; }
    /// <summary>Fires in the window whose instant is not one of the job's (e.g. a misfire fired "now"): should be 0.</summary>
    public long OffInstant { get; init; }
    /// <summary>Fires recorded for the window's instants, over the window's length.</summary>
    public double FiresPerS { get; init; }
    public double ExpectedFiresPerS { get; init; }
    public double? LatenessMinMs { get; init; }
    public double? LatenessP50Ms { get; init; }
    public double? LatenessP99Ms { get; init; }
    public double? LatenessMaxMs { get; init; }
    public double? WindowLatenessP50Ms { get; init; }
    public double? WindowLatenessP99Ms { get; init; }
    public double? WindowLatenessMaxMs { get; init; }
}

/// <summary>After kill -9 of one node: the jobs whose last fire before the kill ran on it, and how long until each fired elsewhere.</summary>
public sealed record KillFigures
{
    public required string KilledNode { get; init; }
    public double KilledAtS { get; init; }
    public long VictimJobs { get; init; }
    public long FiredAgain { get; init; }
    public long NeverAgain { get; init; }
    public double? AgainP50S { get; init; }
    public double? AgainMaxS { get; init; }
    /// <summary>Of the victim's jobs: instants due from the kill to the window's end that never fired, and fired twice or more.</summary>
    public long VictimInstantsNever { get; init; }
    public long VictimInstantsTwice { get; init; }
}

public static class FireLedger
{
    public static async Task<FireFigures> MeasureAsync(NpgsqlDataSource database, CompareWorkload workload, MeasurementWindow window, DateTimeOffset killedAt,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentNullException.ThrowIfNull(window);
        var (jobs, instants) = Expected(workload, window);
        await using var command = database.CreateCommand($"""
            WITH e AS (SELECT * FROM unnest(@jobs::int[], @instants::timestamptz[]) AS e(job, scheduledFor)),
            f AS (SELECT job, scheduledFor, count(*) AS n, min(startedAt) AS first FROM {FireRecorder.Table}
                  WHERE scheduledFor >= @from AND scheduledFor < @to GROUP BY job, scheduledFor),
            m AS (SELECT e.scheduledFor, coalesce(f.n, 0) AS n, extract(epoch FROM f.first - e.scheduledFor)::float8 * 1000 AS late
                  FROM e LEFT JOIN f USING (job, scheduledFor))
            SELECT count(*), count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n >= 2), count(*) FILTER (WHERE n = 0),
                   count(*) FILTER (WHERE n = 0 AND scheduledFor < @kill), count(*) FILTER (WHERE n = 0 AND scheduledFor >= @kill),
                   coalesce(sum(n), 0)::bigint,
                   (SELECT count(*) FROM f WHERE NOT EXISTS (SELECT 1 FROM e WHERE e.job = f.job AND e.scheduledFor = f.scheduledFor)),
                   min(late) FILTER (WHERE n > 0 AND scheduledFor < @kill),
                   percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY late) FILTER (WHERE n > 0 AND scheduledFor < @kill),
                   max(late) FILTER (WHERE n > 0 AND scheduledFor < @kill),
                   percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY late) FILTER (WHERE n > 0),
                   max(late) FILTER (WHERE n > 0)
            FROM m
            """);
        command.Parameters.AddWithValue("jobs", jobs);
        command.Parameters.AddWithValue("instants", instants);
        command.Parameters.AddWithValue("from", window.From.UtcDateTime);
        command.Parameters.AddWithValue("to", window.To.UtcDateTime);
        command.Parameters.AddWithValue("kill", killedAt.UtcDateTime);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        double? At(int column, int index) => reader.IsDBNull(column) ? null : Math.Round(reader.GetFieldValue<double[]>(column)[index], 1);
        double? One(int column) => reader.IsDBNull(column) ? null : Math.Round(reader.GetDouble(column), 1);
        return new FireFigures
        {
            Expected = reader.GetInt64(0), ExactlyOnce = reader.GetInt64(1), TwiceOrMore = reader.GetInt64(2), Never = reader.GetInt64(3),
            NeverBeforeKill = reader.GetInt64(4), NeverAfterKill = reader.GetInt64(5),
            FiresPerS = Math.Round(reader.GetInt64(6) / window.Seconds, 1), ExpectedFiresPerS = Math.Round(jobs.Length / window.Seconds, 1),
            OffInstant = reader.GetInt64(7),
            LatenessMinMs = One(8), LatenessP50Ms = At(9, 0), LatenessP99Ms = At(9, 1), LatenessMaxMs = One(10),
            WindowLatenessP50Ms = At(11, 0), WindowLatenessP99Ms = At(11, 1), WindowLatenessMaxMs = One(12),
        };
    }

    public static async Task<KillFigures> MeasureKillAsync(NpgsqlDataSource database, CompareWorkload workload, MeasurementWindow window, SiloProcess killed,
        DateTimeOffset killedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(killed);
        var (jobs, instants) = Expected(workload, window);
        await using var command = database.CreateCommand($"""
            WITH victim AS (
                SELECT job FROM (SELECT DISTINCT ON (job) job, node FROM {FireRecorder.Table} WHERE startedAt < @kill ORDER BY job, startedAt DESC) l
                WHERE node = @node),
            again AS (
                SELECT v.job, (SELECT extract(epoch FROM min(f.startedAt) - @kill)::float8 FROM {FireRecorder.Table} f
                               WHERE f.job = v.job AND f.startedAt >= @kill AND f.node <> @node AND f.scheduledFor < @to) AS s
                FROM victim v),
            e AS (SELECT * FROM unnest(@jobs::int[], @instants::timestamptz[]) AS e(job, scheduledFor)
                  WHERE scheduledFor >= @kill AND job IN (SELECT job FROM victim)),
            n AS (SELECT (SELECT count(*) FROM {FireRecorder.Table} f WHERE f.job = e.job AND f.scheduledFor = e.scheduledFor) AS n FROM e)
            SELECT (SELECT count(*) FROM victim), (SELECT count(s) FROM again),
                   (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s) FROM again), (SELECT max(s) FROM again),
                   (SELECT count(*) FROM n WHERE n = 0), (SELECT count(*) FROM n WHERE n >= 2)
            """);
        command.Parameters.AddWithValue("jobs", jobs);
        command.Parameters.AddWithValue("instants", instants);
        command.Parameters.AddWithValue("to", window.To.UtcDateTime);
        command.Parameters.AddWithValue("kill", killedAt.UtcDateTime);
        command.Parameters.AddWithValue("node", killed.Pid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var victims = reader.GetInt64(0);
        var again = reader.GetInt64(1);
        return new KillFigures
        {
            KilledNode = killed.Label, KilledAtS = Math.Round((killedAt - window.From).TotalSeconds, 2),
            VictimJobs = victims, FiredAgain = again, NeverAgain = victims - again,
            AgainP50S = reader.IsDBNull(2) ? null : Math.Round(reader.GetDouble(2), 2),
            AgainMaxS = reader.IsDBNull(3) ? null : Math.Round(reader.GetDouble(3), 2),
            VictimInstantsNever = reader.GetInt64(4), VictimInstantsTwice = reader.GetInt64(5),
        };
    }

    /// <summary>Every (job, instant) of the window on the job's own schedule (with a spread, job i's instants are at second i mod S).</summary>
    private static (int[] Jobs, DateTime[] Instants) Expected(CompareWorkload workload, MeasurementWindow window)
    {
        var jobs = new List<int>();
        var instants = new List<DateTime>();
        for (var i = 0; i < workload.Jobs; i++)
        {
            foreach (var instant in MeasurementWindow.Occurrences(JobSchedules.For(workload.Schedule, workload.Spread, i), window.From, window.To))
            {
                jobs.Add(i);
                instants.Add(instant.UtcDateTime);
            }
        }
        return ([.. jobs], [.. instants]);
    }
}
