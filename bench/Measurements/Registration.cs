using System.Globalization;
using Npgsql;

namespace Totallator.Bench.Measurements;

/// <summary>
/// Registration and scheduling time, counted from the start of the first silo process: until all N jobs are in <c>cronJob</c>,
/// until every job has its heartbeat reminder row (<c>orleansremindertable</c>), until every job's grain has been activated and
/// planned once (<c>cronJob.hostSilo</c>, recorded by each activation: the start-up sync writes the reminder rows in bulk, so
/// rows alone no longer say that a job was planned), and until every job has fired once.
/// </summary>
public sealed record RegistrationFigures
{
    /// <summary>Until the last silo printed READY (active, definitions synced).</summary>
    public double? SilosReadyS { get; init; }
    public double? JobsStoredS { get; init; }
    /// <summary>Until every job had its heartbeat reminder: the jobs are scheduled.</summary>
    public double? RemindersS { get; init; }
    /// <summary>Until every job's grain had been activated (and so planned, and asleep or armed): registration ends here.</summary>
    public double? ActivatedS { get; init; }
    public bool Complete { get; init; }
    public long JobsSeen { get; init; }
    public long RemindersSeen { get; init; }
    /// <summary>Until every job had started its first run (from <c>cronJobExecution.startedAt</c>); null unless all fired.</summary>
    public double? FirstFireAllS { get; init; }
    public long JobsFired { get; init; }
    /// <summary>Heartbeat reminders written per second, from the start of the first silo until registration ended (or timed out).</summary>
    public double RemindersPerS { get; init; }
    /// <summary>CPU (% of one core) of the silos and of PostgreSQL from the silos' start until registration ended: is registering CPU-bound?</summary>
    public double? SilosCpuPercent { get; init; }
    public double? PostgresCpuPercent { get; init; }
    /// <summary>What PostgreSQL's backends were doing meanwhile.</summary>
    public PostgresActivityFigures? PostgresActivity { get; init; }
    /// <summary>
    /// Rows by status for occurrences before the window. <c>missed</c> here are occurrences that fell due between the start-up sync
    /// (which sets <c>lastScheduledFor</c> to now) and the job's first activation, when registering is slower than the schedule.
    /// </summary>
    public IReadOnlyDictionary<string, long> StatusesBeforeWindow { get; init; } = new Dictionary<string, long>();
}

public static class RegistrationProbe
{
    // CronJobGrain.HeartbeatReminder (internal to Grains).
    private const string HeartbeatReminder = "cron-heartbeat";
    // Three counts over every job: at 100,000 jobs, polled every 200 ms, they kept 0.44 of a PostgreSQL backend busy while the
    // cluster registered, which the figures would charge to the scheduler.
    private static TimeSpan PollFor(int jobs) => TimeSpan.FromMilliseconds(jobs >= 10_000 ? 1000 : 200);
    private static readonly TimeSpan _report = TimeSpan.FromSeconds(5);

    /// <summary>Polls until every job is stored and has its reminder, or <paramref name="timeout"/> passes (then Complete is false).</summary>
    public static async Task<RegistrationFigures> WaitAsync(NpgsqlDataSource database, int jobs, DateTimeOffset startedAt, TimeSpan timeout,
        string scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        var figures = new RegistrationFigures();
        var nextReport = DateTimeOffset.UtcNow + _report;
        while (true)
        {
            var (stored, reminders, activated) = await CountAsync(database, cancellationToken);
            var elapsed = Math.Round((DateTimeOffset.UtcNow - startedAt).TotalSeconds, 2);
            figures = figures with
            {
                JobsSeen = stored, RemindersSeen = reminders, RemindersPerS = elapsed > 0 ? Math.Round(reminders / elapsed, 1) : 0,
                JobsStoredS = figures.JobsStoredS ?? (stored >= jobs ? elapsed : null),
                RemindersS = figures.RemindersS ?? (reminders >= jobs ? elapsed : null),
                ActivatedS = figures.ActivatedS ?? (activated >= jobs ? elapsed : null),
            };
            if (figures.RemindersS is not null && figures.JobsStoredS is not null && figures.ActivatedS is not null)
            {
                return figures with { Complete = true };
            }
            if (DateTimeOffset.UtcNow - startedAt > timeout)
            {
                Progress.Log(scope, string.Create(CultureInfo.InvariantCulture,
                    $"registration NOT complete after {timeout.TotalSeconds:0} s: {stored}/{jobs} jobs stored, {reminders}/{jobs} reminders, {activated}/{jobs} activated; measuring anyway"));
                return figures;
            }
            if (DateTimeOffset.UtcNow >= nextReport)
            {
                Progress.Log(scope, string.Create(CultureInfo.InvariantCulture,
                    $"registering: {stored}/{jobs} jobs stored, {reminders}/{jobs} heartbeat reminders, {activated}/{jobs} activated after {elapsed:0.0} s"));
                nextReport += _report;
            }
            await Task.Delay(PollFor(jobs), cancellationToken);
        }
    }

    /// <summary>Adds when every job had started once, and what became of the occurrences before the window (read after the window, from the rows).</summary>
    public static async Task<RegistrationFigures> WithFirstFireAsync(NpgsqlDataSource database, RegistrationFigures figures, int jobs,
        DateTimeOffset startedAt, DateTimeOffset windowFrom, CancellationToken cancellationToken)
    {
        var before = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using (var statuses = database.CreateCommand("SELECT status, count(*) FROM cronJobExecution WHERE scheduledFor < @from GROUP BY status"))
        {
            statuses.Parameters.AddWithValue("from", windowFrom.ToUniversalTime());
            await using var rows = await statuses.ExecuteReaderAsync(cancellationToken);
            while (await rows.ReadAsync(cancellationToken))
            {
                before[rows.GetString(0)] = rows.GetInt64(1);
            }
        }
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(figures);
        await using var command = database.CreateCommand("""
            SELECT count(*), max(first) FROM (
                SELECT min(startedAt) AS first FROM cronJobExecution WHERE startedAt IS NOT NULL GROUP BY cronJobId) f
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var fired = reader.GetInt64(0);
        var last = reader.IsDBNull(1) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(1);
        return figures with
        {
            StatusesBeforeWindow = before,
            JobsFired = fired,
            FirstFireAllS = fired >= jobs && last is { } l ? Math.Round((l - startedAt).TotalSeconds, 2) : null,
        };
    }

    private static async Task<(long Stored, long Reminders, long Activated)> CountAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"""
            SELECT (SELECT count(*) FROM cronJob),
                   (SELECT count(*) FROM orleansremindertable WHERE remindername = '{HeartbeatReminder}'),
                   (SELECT count(*) FROM cronJob WHERE hostSilo IS NOT NULL)
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
