using Npgsql;
using NpgsqlTypes;
using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using static Totallator.Grains.Storage.NpgsqlCommands;

namespace Totallator.Grains.Storage;

/// <summary>
/// The job list (docs/admin-read.md): filtered, sorted and paged in PostgreSQL over <c>cronJob</c> and the statistics rows kept
/// as runs end (<c>cronJobStats</c>, 0016), never over the history. Two round trips: the page with the count, then the page's
/// running rows and the jobs its dependency views need.
/// </summary>
public sealed partial class PostgresAdminStore
{
    private static readonly string PrefixedJobColumns =
        string.Join(", ", PostgresJobStore.JobColumns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => "j." + c));

    internal const string StatsColumns = """
        st.outcomes, st.recentDurations, st.hours, st.lastRunId, st.lastRunOccurrenceKey, st.lastRunScheduledFor, st.lastRunStartedAt,
        st.lastRunCompletedAt, st.lastRunDurationMs, st.lastRunStatus, st.lastRunReason, st.lastRunRetryCount, st.lastRunTriggeredBy
        """;

    // Each filter is off when its parameter is null; PostgreSQL plans the statement with the values bound, so an unused filter
    // costs nothing. The chain filter reads the jobs that something runs after once per statement (a hashed set, from the
    // partial index cronjob_has_after_idx), not once per job.
    internal const string JobListFilter = """
        FROM cronJob j LEFT JOIN cronJobStats st ON st.cronJobId = j.id
        WHERE (@pattern::text IS NULL OR j.slug ILIKE @pattern OR j.name ILIKE @pattern OR j.description ILIKE @pattern)
          AND (@source::text IS NULL OR j.source = @source)
          AND (@states::text[] IS NULL
               OR 'enabled' = ANY(@states) AND j.isEnabled AND j.deletedAt IS NULL
               OR 'disabled' = ANY(@states) AND NOT j.isEnabled
               OR 'paused' = ANY(@states) AND j.pausedReason IS NOT NULL
               OR 'invalid' = ANY(@states) AND j.invalidReason IS NOT NULL
               OR 'failing' = ANY(@states) AND j.failureStreak > 0
               OR 'orphaned' = ANY(@states) AND j.isOrphaned AND j.deletedAt IS NULL
               OR 'deleted' = ANY(@states) AND j.deletedAt IS NOT NULL
               OR 'running' = ANY(@states) AND EXISTS (SELECT 1 FROM cronJobExecution r WHERE r.cronJobId = j.id AND r.status = 'running'))
          AND (@outcome::text IS NULL
               OR @outcome = 'succeeded' AND st.lastRunStatus = 'succeeded'
               OR @outcome = 'failures' AND st.lastRunStatus IN ('failed', 'timed_out', 'abandoned')
               OR @outcome = 'never' AND st.lastRunId IS NULL
                  AND NOT EXISTS (SELECT 1 FROM cronJobExecution r WHERE r.cronJobId = j.id AND r.status = 'running'))
          AND (@chain::boolean IS NULL
               OR (cardinality(j.after) > 0
                   OR j.slug IN (SELECT split_part(unnest(h.after), ':', 1) FROM cronJob h WHERE cardinality(h.after) > 0)) = @chain)
        """;

    // The order by key, ties by slug; the key comes from a fixed list, never from the request's text.
    private static string JobListOrder(JobListSort sort, bool descending)
    {
        var dir = descending ? "DESC" : "ASC";
        return sort switch
        {
            JobListSort.Name => $"j.name {dir}, j.slug {dir}",
            JobListSort.LastRun => $"st.lastRunScheduledFor {dir} NULLS LAST, j.slug",
            JobListSort.SuccessRate => $"(length(st.outcomes) - length(translate(st.outcomes, 'sS', '')))::float8 / NULLIF(length(st.outcomes), 0) {dir} NULLS LAST, j.slug",
            JobListSort.Runs => $"COALESCE(totallator_stats_hours_sum(st.hours, @nowHour, 2), 0) {dir}, j.slug",
            _ => $"j.slug {dir}",
        };
    }

    internal static string SelectJobPage(JobListSort sort, bool descending) => $"""
        SELECT {PrefixedJobColumns}, NULL::text[] AS downstreamsReadFromTheNeighbours, {StatsColumns}
        {JobListFilter}
        ORDER BY {JobListOrder(sort, descending)}
        OFFSET @offset LIMIT @limit;
        SELECT count(*)::int
        {JobListFilter}
        """;

    // The page's running rows (the partial index cronjobexecution_running_job_idx), and the jobs its dependency views judge:
    // the upstreams its jobs run after, and the jobs that run after any of them (the partial index cronjob_has_after_idx).
    internal const string SelectJobPageNeighbours = $"""
        SELECT {SummaryColumns}
        FROM cronJobExecution e JOIN cronJob j ON j.id = e.cronJobId
        WHERE e.status = 'running' AND e.cronJobId = ANY(@ids)
        ORDER BY e.scheduledFor;
        SELECT slug, isEnabled, isOrphaned, invalidReason, after
        FROM cronJob
        WHERE slug = ANY(@upstreams) OR cardinality(after) > 0 AND after && @edges
        """;

    public async Task<JobListRows> ListJobPageAsync(JobListQuery query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var cmd = dataSource.CreateCommand(SelectJobPage(query.Sort, query.Descending));
        cmd.Parameters.Add(Param("pattern", NpgsqlDbType.Text, JobListSearch.Pattern(query.Search)));
        cmd.Parameters.Add(Param("source", NpgsqlDbType.Text, query.Source));
        cmd.Parameters.Add(Param("states", NpgsqlDbType.Array | NpgsqlDbType.Text, query.States?.Select(JobListSearch.Text).ToArray()));
        cmd.Parameters.Add(Param("outcome", NpgsqlDbType.Text, query.Outcome is { } o ? JobListSearch.Text(o) : null));
        cmd.Parameters.Add(Param("chain", NpgsqlDbType.Boolean, query.Chain));
        cmd.Parameters.Add(Param("nowHour", NpgsqlDbType.Bigint, JobStatsRow.HourOf(now)));
        cmd.Parameters.Add(Param("offset", NpgsqlDbType.Integer, query.Offset));
        cmd.Parameters.Add(Param("limit", NpgsqlDbType.Integer, query.Limit));
        List<(JobRecord Job, JobStatsRow? Stats)> page;
        int total;
        await using (var reader = await cmd.ExecuteReaderAsync(cancellationToken))
        {
            page = await reader.ReadRowsAsync(r => (PostgresJobStore.ReadJob(r), ReadStatsRow(r, JobColumnCount, r.GetString(1))), cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            total = reader.GetInt32(0);
        }
        if (page.Count == 0)
        {
            return new JobListRows([], total, []);
        }
        await using var next = dataSource.CreateCommand(SelectJobPageNeighbours);
        next.Parameters.Add(Param("ids", NpgsqlDbType.Array | NpgsqlDbType.Uuid, page.Select(p => p.Job.Id).ToArray()));
        next.Parameters.Add(Param("upstreams", NpgsqlDbType.Array | NpgsqlDbType.Text,
            page.SelectMany(p => p.Job.After.Select(u => u.Slug)).Distinct(StringComparer.Ordinal).ToArray()));
        next.Parameters.Add(Param("edges", NpgsqlDbType.Array | NpgsqlDbType.Text, JobListSearch.EdgesTo(page.Select(p => p.Job.Slug))));
        await using var rest = await next.ExecuteReaderAsync(cancellationToken);
        var running = await rest.ReadRowsAsync(r => ReadSummary(r, 0), cancellationToken);
        await rest.NextResultAsync(cancellationToken);
        var neighbours = await rest.ReadRowsAsync(r => new DependencyNode(r.GetString(0), r.GetBoolean(1), r.GetBoolean(2),
            r.IsDBNull(3) ? null : r.GetString(3), UpstreamList.FromStored(r.GetFieldValue<string[]>(4))), cancellationToken);
        var runningByJob = running.ToLookup(x => x.JobSlug, StringComparer.Ordinal);
        return new JobListRows(page.Select(p => new JobListRow(p.Job, p.Stats, runningByJob[p.Job.Slug].ToList())).ToList(), total, neighbours);
    }

    // The job's columns and the placeholder where ReadJob looks for DownstreamsColumn (the list takes them from the neighbours).
    private static readonly int JobColumnCount = PostgresJobStore.JobColumns.Split(',', StringSplitOptions.RemoveEmptyEntries).Length + 1;

    // Column order follows StatsColumns; null when the job has never ended an attempt.
    private static JobStatsRow? ReadStatsRow(NpgsqlDataReader r, int at, string slug)
    {
        if (r.IsDBNull(at))
        {
            return null;
        }
        var row = new JobStatsRow { Outcomes = r.GetString(at), HourRing = r.GetFieldValue<long?[]>(at + 2) is { Length: JobStatsRow.Hours * JobStatsRow.SlotWidth } ring ? ring : new long?[JobStatsRow.Hours * JobStatsRow.SlotWidth] };
        row.RecentDurations.AddRange(r.GetFieldValue<long?[]>(at + 1));
        if (!r.IsDBNull(at + 3))
        {
            row.LastRun = new ExecutionSummary
            {
                Id = r.GetGuid(at + 3), JobSlug = slug, OccurrenceKey = r.GetString(at + 4), ScheduledFor = r.GetFieldValue<DateTimeOffset>(at + 5),
                StartedAt = r.IsDBNull(at + 6) ? null : r.GetFieldValue<DateTimeOffset>(at + 6),
                CompletedAt = r.IsDBNull(at + 7) ? null : r.GetFieldValue<DateTimeOffset>(at + 7),
                DurationMs = r.IsDBNull(at + 8) ? null : r.GetInt64(at + 8),
                Status = ExecutionStatusText.Parse(r.GetString(at + 9)),
                StatusReason = r.IsDBNull(at + 10) ? null : r.GetString(at + 10),
                RetryCount = r.GetInt32(at + 11),
                TriggeredBy = TriggerSourceText.Parse(r.GetString(at + 12)),
            };
        }
        return row;
    }
}
