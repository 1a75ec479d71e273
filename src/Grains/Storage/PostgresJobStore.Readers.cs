using System.Text.Json;
using Npgsql;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Storage;

public sealed partial class PostgresJobStore
{
    // Column order follows JobColumns.
    internal static JobRecord ReadJob(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Slug = r.GetString(1),
        Name = r.GetString(2),
        Description = r.GetString(3),
        Schedule = r.GetString(4),
        TimeZone = r.GetString(5),
        IsEnabled = r.GetBoolean(6),
        TimeoutMs = r.GetInt32(7),
        MaxRetries = r.GetInt32(8),
        MisfirePolicy = MisfirePolicyText.TryParse(r.GetString(9), out var p) ? p : MisfirePolicy.RunOnce,
        MisfireRunAllCap = r.GetInt32(10),
        Source = r.GetString(11),
        IsOrphaned = r.GetBoolean(12),
        OverriddenFields = r.GetFieldValue<string[]>(13),
        InvalidReason = r.IsDBNull(14) ? null : r.GetString(14),
        LastScheduledFor = r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15),
        Version = r.GetInt32(16),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(17),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(18),
        CreatedBy = r.IsDBNull(19) ? null : r.GetString(19),
        LastModifiedBy = r.IsDBNull(20) ? null : r.GetString(20),
        After = Dependencies.UpstreamList.FromStored(r.GetFieldValue<string[]>(21)),
        JobType = r.IsDBNull(22) ? null : r.GetString(22),
        ParametersJson = r.IsDBNull(23) ? null : r.GetString(23),
        DeletedAt = r.IsDBNull(24) ? null : r.GetFieldValue<DateTimeOffset>(24),
        DeletedBy = r.IsDBNull(25) ? null : r.GetString(25),
        FailureStreak = r.GetInt32(26),
        PauseAfterFailures = r.IsDBNull(27) ? null : r.GetInt32(27),
        PausedReason = r.IsDBNull(28) ? null : r.GetString(28),
        // Only the statements that load a job for its activation read its downstream jobs (DownstreamsColumn).
        Downstreams = r.FieldCount > 29 && !r.IsDBNull(29) ? r.GetFieldValue<string[]>(29) : [],
    };

    // Column order follows ExecutionColumns.
    private static ExecutionRecord ReadExecution(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        CronJobId = r.GetGuid(1),
        OccurrenceKey = r.GetString(2),
        ScheduledFor = r.GetFieldValue<DateTimeOffset>(3),
        StartedAt = r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
        CompletedAt = r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        DurationMs = r.IsDBNull(6) ? null : r.GetInt64(6),
        Status = ExecutionStatusText.Parse(r.GetString(7)),
        ExitCode = r.IsDBNull(8) ? null : r.GetInt32(8),
        Output = r.IsDBNull(9) ? null : r.GetString(9),
        ErrorMessage = r.IsDBNull(10) ? null : r.GetString(10),
        StackTrace = r.IsDBNull(11) ? null : r.GetString(11),
        TriggeredBy = TriggerSourceText.Parse(r.GetString(12)),
        TriggeredByUserId = r.IsDBNull(13) ? null : r.GetString(13),
        RetryCount = r.GetInt32(14),
        MemoryUsageMb = r.IsDBNull(15) ? null : r.GetDouble(15),
        CpuUsagePercent = r.IsDBNull(16) ? null : r.GetDouble(16),
        ItemsProcessed = r.IsDBNull(17) ? null : r.GetInt64(17),
        Metrics = r.IsDBNull(18) ? null : JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(18)),
        StatusReason = r.IsDBNull(19) ? null : r.GetString(19),
        LeaseOwner = r.IsDBNull(20) ? null : r.GetString(20),
        LeaseExpiresAt = r.IsDBNull(21) ? null : r.GetFieldValue<DateTimeOffset>(21),
        // Not every statement returns it (a job's load returns the claims it took over without it).
        UpstreamExecutionIds = r.FieldCount > 22 && !r.IsDBNull(22) ? r.GetFieldValue<Guid[]>(22) : null,
    };
}
