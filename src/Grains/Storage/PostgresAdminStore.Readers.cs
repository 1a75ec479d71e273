using Npgsql;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

public sealed partial class PostgresAdminStore
{
    // Column order follows SummaryColumns, starting at column `at`.
    private static ExecutionSummary ReadSummary(NpgsqlDataReader r, int at) => new()
    {
        Id = r.GetGuid(at),
        JobSlug = r.GetString(at + 1),
        OccurrenceKey = r.GetString(at + 2),
        ScheduledFor = r.GetFieldValue<DateTimeOffset>(at + 3),
        StartedAt = r.IsDBNull(at + 4) ? null : r.GetFieldValue<DateTimeOffset>(at + 4),
        CompletedAt = r.IsDBNull(at + 5) ? null : r.GetFieldValue<DateTimeOffset>(at + 5),
        DurationMs = r.IsDBNull(at + 6) ? null : r.GetInt64(at + 6),
        Status = ExecutionStatusText.Parse(r.GetString(at + 7)),
        StatusReason = r.IsDBNull(at + 8) ? null : r.GetString(at + 8),
        ExitCode = r.IsDBNull(at + 9) ? null : r.GetInt32(at + 9),
        TriggeredBy = TriggerSourceText.Parse(r.GetString(at + 10)),
        TriggeredByUserId = r.IsDBNull(at + 11) ? null : r.GetString(at + 11),
        RetryCount = r.GetInt32(at + 12),
        MemoryUsageMb = r.IsDBNull(at + 13) ? null : r.GetDouble(at + 13),
        CpuUsagePercent = r.IsDBNull(at + 14) ? null : r.GetDouble(at + 14),
        ItemsProcessed = r.IsDBNull(at + 15) ? null : r.GetInt64(at + 15),
        UpstreamExecutionIds = r.IsDBNull(at + 16) ? null : r.GetFieldValue<Guid[]>(at + 16),
    };

    private const int SummaryColumnCount = 17;

    // Column order follows SelectStatistics.
    private static JobStatisticsRecord ReadStatistics(NpgsqlDataReader r)
    {
        var sample = r.GetInt32(1);
        double? D(int i) => r.IsDBNull(i) ? null : r.GetDouble(i);
        var statistics = new JobStatistics
        {
            SampleSize = sample,
            SuccessRate = sample == 0 ? null : (double)r.GetInt32(2) / sample,
            AverageDurationMs = D(3), P50DurationMs = D(4), P95DurationMs = D(5), P99DurationMs = D(6),
            MaxDurationMs = r.IsDBNull(7) ? null : r.GetInt64(7),
            AverageMemoryMb = D(8), AverageCpuPercent = D(9),
            RetryAttempts = r.GetInt32(10),
            RunsLast24Hours = r.GetInt32(11), FailuresLast24Hours = r.GetInt32(12), NotRunLast24Hours = r.GetInt32(13),
            Recent = ReadTrend(r, 15 + SummaryColumnCount),
        };
        var running = r.GetFieldValue<Guid[]>(14);
        var lastRun = r.IsDBNull(15) ? null : ReadSummary(r, 15);
        return new JobStatisticsRecord(statistics, lastRun, running);
    }

    // Two parallel arrays (statuses, durations), oldest first; NULL when the job has no ended attempt.
    private static List<RecentRun> ReadTrend(NpgsqlDataReader r, int at)
    {
        if (r.IsDBNull(at))
        {
            return [];
        }
        var statuses = r.GetFieldValue<string[]>(at);
        var durations = r.GetFieldValue<long?[]>(at + 1);
        return [.. statuses.Select((s, i) => new RecentRun(ExecutionStatusText.Parse(s), durations[i]))];
    }

    private static ExecutionDetails ReadDetails(NpgsqlDataReader r)
    {
        const int at = SummaryColumnCount;
        return new ExecutionDetails
        {
            Summary = ReadSummary(r, 0),
            JobName = r.GetString(at),
            Output = r.IsDBNull(at + 1) ? null : r.GetString(at + 1),
            ErrorMessage = r.IsDBNull(at + 2) ? null : r.GetString(at + 2),
            StackTrace = r.IsDBNull(at + 3) ? null : r.GetString(at + 3),
            MetricsJson = r.IsDBNull(at + 4) ? null : r.GetString(at + 4),
        };
    }

    // Column order follows AuditColumns.
    private static AuditEntry ReadAudit(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        At = r.GetFieldValue<DateTimeOffset>(1),
        Actor = r.GetString(2),
        Action = r.GetString(3),
        JobSlug = r.IsDBNull(4) ? null : r.GetString(4),
        Target = r.IsDBNull(5) ? null : r.GetString(5),
        OldValuesJson = r.IsDBNull(6) ? null : r.GetString(6),
        NewValuesJson = r.IsDBNull(7) ? null : r.GetString(7),
        RequestId = r.IsDBNull(8) ? null : r.GetString(8),
    };

    // Column order follows ApiKeyColumns.
    private static ApiKeyInfo ReadApiKey(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Name = r.GetString(1),
        Role = AdminRoleText.Parse(r.GetString(2)),
        Prefix = r.GetString(3),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(4),
        CreatedBy = r.GetString(5),
        RevokedAt = r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        RevokedBy = r.IsDBNull(7) ? null : r.GetString(7),
        LastUsedAt = r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8),
    };
}
