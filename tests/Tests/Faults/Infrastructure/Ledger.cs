using System.Globalization;
using Npgsql;

namespace Totallator.Tests.Faults.Infrastructure;

/// <summary>One row of cronJobExecution, as the fault cases read it.</summary>
public sealed record RunRow(
    Guid Id, string Job, string OccurrenceKey, DateTimeOffset ScheduledFor, string Status, int RetryCount, string TriggeredBy,
    string? LeaseOwner, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt, string? StatusReason, string? ErrorMessage)
{
    public bool IsActive => Status is "running" or "claimed";
    public bool Ran => StartedAt is not null;
    public override string ToString() =>
        $"{Job} {ScheduledFor:HH:mm:ss.fff} {Status} retry={RetryCount} {TriggeredBy} owner={LeaseOwner} reason={StatusReason} {ErrorMessage}";
}

/// <summary>One start of a job's command, from the effects file: what really ran, whatever the rows say.</summary>
public sealed record Effect(string Job, string OccurrenceKey, int RetryCount, Guid ExecutionId);

/// <summary>The occurrence ledger and the side effects, and the invariants every fault case asserts on them.</summary>
public static class Ledger
{
    /// <summary>A silo's last check-in the database accepted (0008_silo_check_in.sql), or null if it never checked in.</summary>
    public static async Task<DateTimeOffset?> LastCheckInAsync(LocalCluster cluster, string owner)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        await using var command = cluster.Database.CreateCommand(
            "SELECT NULLIF(lastSeen, '-infinity') FROM totallator_silo_check_in WHERE owner = @owner");
        command.Parameters.AddWithValue("owner", owner);
        return await command.ExecuteScalarAsync() is DateTime seen ? new DateTimeOffset(seen, TimeSpan.Zero) : null;
    }

    public static async Task<List<RunRow>> ReadAsync(LocalCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        await using var command = cluster.Database.CreateCommand("""
            SELECT e.id, j.slug, e.occurrenceKey, e.scheduledFor, e.status, e.retryCount, e.triggeredBy, e.leaseOwner,
                   e.startedAt, e.completedAt, e.statusReason, e.errorMessage
            FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
            ORDER BY j.slug, e.scheduledFor, e.retryCount
            """);
        var rows = new List<RunRow>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new RunRow(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetString(4), reader.GetInt32(5), reader.GetString(6), Nullable<string>(reader, 7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8), reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
                Nullable<string>(reader, 10), Nullable<string>(reader, 11)));
        }
        return rows;
    }

    public static List<Effect> ReadEffects(LocalCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        if (!File.Exists(cluster.EffectsFile))
        {
            return [];
        }
        return File.ReadAllLines(cluster.EffectsFile).Where(l => l.Length > 0).Select(l => l.Split(' ')).Select(p =>
            new Effect(p[0], p[1], int.Parse(p[2], CultureInfo.InvariantCulture), Guid.Parse(p[3]))).ToList();
    }

    /// <summary>Polls the ledger until <paramref name="probe"/> finds something; throws with the newest rows when it does not in time.</summary>
    public static async Task<T> WaitForAsync<T>(LocalCluster cluster, Func<List<RunRow>, T?> probe, TimeSpan timeout, string what)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(probe);
        var deadline = DateTime.UtcNow + timeout;
        List<RunRow> rows = [];
        while (DateTime.UtcNow < deadline)
        {
            rows = await ReadAsync(cluster);
            if (probe(rows) is { } found)
            {
                return found;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{what}: not within {timeout.TotalSeconds:0} s. Newest rows:\n" +
            string.Join('\n', rows.OrderBy(r => r.ScheduledFor).TakeLast(25)));
    }

    /// <summary>
    /// The invariants of every case, for one job scheduled every <paramref name="periodSeconds"/> s over [from, to]:
    /// every occurrence has exactly one first-attempt row, none is still active, nothing ran twice, and every start in the
    /// effects file is a row that says it ran (and the other way round). Returns the rows of the window by instant.
    /// </summary>
    public static SortedDictionary<DateTimeOffset, RunRow> AssertExactlyOnce(List<RunRow> rows, List<Effect> effects, string job,
        int periodSeconds, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(effects);
        var jobRows = rows.Where(r => r.Job == job && r.OccurrenceKey.StartsWith("s:", StringComparison.Ordinal)).ToList();
        var firstAttempts = jobRows.Where(r => r.RetryCount == 0).GroupBy(r => r.ScheduledFor).ToDictionary(g => g.Key, g => g.ToList());
        var byInstant = new SortedDictionary<DateTimeOffset, RunRow>();
        var problems = new List<string>();
        foreach (var instant in Instants(periodSeconds, from, to))
        {
            if (!firstAttempts.TryGetValue(instant, out var found))
            {
                var around = jobRows.Where(r => (r.ScheduledFor - instant).Duration() <= TimeSpan.FromSeconds(3 * periodSeconds));
                problems.Add($"{job} {instant:HH:mm:ss}: no row (lost); rows around it:\n    {string.Join("\n    ", around)}");
                continue;
            }
            if (found.Count > 1)
            {
                problems.Add($"{job} {instant:HH:mm:ss}: {found.Count} rows: {string.Join(" | ", found)}");
            }
            if (found[0].IsActive)
            {
                problems.Add($"{job} {instant:HH:mm:ss}: still {found[0].Status}: {found[0]}");
            }
            byInstant[instant] = found[0];
        }
        var jobEffects = effects.Where(e => e.Job == job).ToList();
        foreach (var twice in jobEffects.GroupBy(e => (e.OccurrenceKey, e.RetryCount)).Where(g => g.Count() > 1))
        {
            problems.Add($"{job} {twice.Key.OccurrenceKey} attempt {twice.Key.RetryCount} ran {twice.Count()} times (executions {string.Join(", ", twice.Select(e => e.ExecutionId))})");
        }
        var rowsById = jobRows.ToDictionary(r => r.Id);
        // Only the window's occurrences: a run after it may still be in flight, its row not yet written.
        foreach (var effect in jobEffects.Where(e => e.OccurrenceKey.StartsWith("s:", StringComparison.Ordinal) && InWindow(e.OccurrenceKey, from, to)))
        {
            if (!rowsById.TryGetValue(effect.ExecutionId, out var row))
            {
                problems.Add($"{job} {effect.OccurrenceKey}: ran as execution {effect.ExecutionId}, which has no row");
            }
            else if (!row.Ran && row.Status != "abandoned")
            {
                // An abandoned row may never have been recorded as started: its silo died between the start and the first write.
                problems.Add($"{job} {effect.OccurrenceKey}: ran, but its row says it did not: {row}");
            }
        }
        var started = jobEffects.Select(e => e.ExecutionId).ToHashSet();
        foreach (var row in byInstant.Values.Where(r => r.Status is "succeeded" or "failed" or "timed_out" && !started.Contains(r.Id)))
        {
            problems.Add($"{job}: row says {row.Status} but the command never started: {row}");
        }
        Assert.True(problems.Count == 0, $"{problems.Count} ledger problem(s):\n{string.Join('\n', problems)}");
        return byInstant;
    }

    /// <summary>
    /// Of the occurrences due while nothing could run them (<paramref name="down"/>), all but the newest <paramref name="maxCatchUps"/> are recorded missed, catch-up runs are
    /// newer than every missed one, and there are at most <paramref name="maxCatchUps"/> of them.
    /// </summary>
    public static void AssertMisfirePolicy(SortedDictionary<DateTimeOffset, RunRow> job, List<DateTimeOffset> down, int maxCatchUps)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(down);
        var rows = job.Values.ToList();
        var catchUps = rows.Where(r => r.TriggeredBy == "catch-up").ToList();
        var missed = rows.Where(r => r.Status == "missed").ToList();
        var detail = string.Join('\n', rows);
        Assert.True(catchUps.Count <= maxCatchUps, $"{catchUps.Count} catch-up runs, policy allows {maxCatchUps}:\n{detail}");
        Assert.All(down.SkipLast(maxCatchUps), t => Assert.True(job[t].Status == "missed", $"{t:HH:mm:ss} should be missed:\n{detail}"));
        if (catchUps.Count > 0 && missed.Count > 0)
        {
            Assert.True(catchUps.Min(r => r.ScheduledFor) > missed.Max(r => r.ScheduledFor), $"a catch-up run is older than a missed occurrence:\n{detail}");
        }
    }

    private static bool InWindow(string scheduledKey, DateTimeOffset from, DateTimeOffset to)
    {
        var instant = DateTimeOffset.Parse(scheduledKey[2..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return instant >= from && instant <= to;
    }

    /// <summary>The instants of "*/period * * * * *" in [from, to].</summary>
    public static IEnumerable<DateTimeOffset> Instants(int periodSeconds, DateTimeOffset from, DateTimeOffset to)
    {
        from = from.ToUniversalTime();
        var start = new DateTimeOffset(from.Year, from.Month, from.Day, from.Hour, from.Minute, 0, TimeSpan.Zero);
        for (var t = start; t <= to; t = t.AddSeconds(1))
        {
            if (t >= from && t.Second % periodSeconds == 0)
            {
                yield return t;
            }
        }
    }

    /// <summary>How many rows of the window have each status, e.g. "succeeded 14, missed 3".</summary>
    public static string Summary(IEnumerable<RunRow> rows) =>
        string.Join(", ", rows.GroupBy(r => r.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));

    private static T? Nullable<T>(NpgsqlDataReader reader, int ordinal) where T : class =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
}
