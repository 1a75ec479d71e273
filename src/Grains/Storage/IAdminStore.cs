using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Storage;

/// <summary>
/// Persistence SPI of the admin side: statistics, history pages, the audit trail, global settings, API keys and the idempotency
/// keys of manual triggers. <see cref="PostgresAdminStore"/> is the real one; <see cref="InMemoryJobStore"/> implements it too,
/// over the same data as its job store. Both pass the same contract tests. Every change is written with its audit row in one
/// statement, so there is never a change without its audit row nor an audit row without its change.
/// </summary>
public interface IAdminStore : Scheduling.ITriggerStore
{
    /// <summary>One round trip to the store; throws when it does not answer.</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Statistics of every job (<paramref name="jobId"/> null) or of one, keyed by job id. Figures come from each job's last
    /// <see cref="StatisticsSampleSize"/> ended attempts; the 24-hour counts from the executions scheduled after <paramref name="now"/> − 24 h.
    /// </summary>
    Task<IReadOnlyDictionary<Guid, JobStatisticsRecord>> GetStatisticsAsync(Guid? jobId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// A page of the jobs matching <paramref name="query"/> (<see cref="JobListQuery"/>: offset and limit already checked) with
    /// the statistics rows kept as runs end, the page's running executions, the count of all matching jobs, and the jobs the
    /// page's dependency views need (the upstreams of its jobs and the jobs running after them). Reads no history.
    /// </summary>
    Task<JobListRows> ListJobPageAsync(JobListQuery query, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A filtered page of one job's executions, newest scheduled first, then newest attempt first.</summary>
    Task<ExecutionPage> GetExecutionPageAsync(Guid jobId, string jobSlug, ExecutionQuery query, CancellationToken cancellationToken);

    /// <summary>One execution with its job's slug and name and its large text fields; null when there is none.</summary>
    Task<ExecutionDetails?> GetExecutionDetailsAsync(Guid executionId, CancellationToken cancellationToken);

    /// <summary>Active executions (running, or claimed and due) and those ended after <paramref name="endedSince"/>, by the store's clock.</summary>
    Task<Activity> GetActivityAsync(DateTimeOffset? endedSince, int limit, CancellationToken cancellationToken);

    Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>A filtered page of the audit trail, newest first.</summary>
    Task<AuditPage> GetAuditPageAsync(AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Every row of <c>cronJobConfig</c>, keyed by its key.</summary>
    Task<IReadOnlyDictionary<string, ConfigValue>> GetConfigAsync(CancellationToken cancellationToken);

    /// <summary>Sets several config values and appends <paramref name="audit"/>, in one transaction.</summary>
    Task SetConfigAsync(IReadOnlyDictionary<string, string> values, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Stores a key and its audit row; throws <see cref="InvalidAdminInputException"/> (field <c>name</c>) when the name is taken.</summary>
    Task CreateApiKeyAsync(ApiKeyInfo key, string keyHash, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>Revokes an active key and appends <paramref name="audit"/> in one transaction; false (and no audit row) when there is no such active key.</summary>
    Task<bool> RevokeApiKeyAsync(Guid keyId, DateTimeOffset at, string revokedBy, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>All keys, revoked ones included, newest first.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The active (not revoked) key with this hash, or null. Records the use: <c>lastUsedAt</c> becomes <paramref name="now"/>
    /// when it is empty or more than <see cref="ApiKeyUse.Resolution"/> older (the answer carries the value before).
    /// </summary>
    Task<ApiKeyInfo?> FindActiveApiKeyAsync(string keyHash, DateTimeOffset now, CancellationToken cancellationToken);


    /// <summary>
    /// History cleanup in one transaction: deletes ended executions completed before the execution cutoff (never running or
    /// claimed ones), audit rows before the audit cutoff, trigger requests before theirs, and appends an <c>executions.cleanup</c>
    /// audit row with <c>{"deleted": n, "olderThanDays": d, "auditDeleted": n, "auditRetentionDays": d}</c>.
    /// </summary>
    Task<CleanupResult> CleanupAsync(CleanupCutoffs cutoffs, AuditEntry audit, CancellationToken cancellationToken);

    /// <summary>How many rows <see cref="CleanupAsync"/> would delete with these cutoffs (executions, audit rows); deletes nothing.</summary>
    Task<CleanupResult> CountCleanupAsync(CleanupCutoffs cutoffs, CancellationToken cancellationToken);

    /// <summary>How many ended attempts per job the statistics look at.</summary>
    public const int StatisticsSampleSize = 100;
}

/// <summary>A job's statistics, its latest started execution and the ids of its rows running now.</summary>
public sealed record JobStatisticsRecord(JobStatistics Statistics, ExecutionSummary? LastRun, IReadOnlyList<Guid> RunningExecutionIds);

/// <summary>A page of the job list as the store reads it (see <see cref="IAdminStore.ListJobPageAsync"/>).</summary>
public sealed record JobListRows(IReadOnlyList<JobListRow> Rows, int Total, IReadOnlyList<Dependencies.DependencyNode> Neighbours);

/// <summary>A job of the list: its row, its statistics row (null before its first end), its executions running now (oldest first).</summary>
public sealed record JobListRow(JobRecord Job, JobStatsRow? Stats, IReadOnlyList<ExecutionSummary> Running);

/// <summary>What a history cleanup deletes: everything that ended (or was written) before each cutoff.</summary>
public sealed record CleanupCutoffs(DateTimeOffset Executions, int ExecutionRetentionDays, DateTimeOffset Audit, int AuditRetentionDays,
    DateTimeOffset TriggerRequests)
{
    /// <summary>The cutoffs of a cleanup at <paramref name="now"/>; idempotency keys of manual triggers live 24 hours.</summary>
    public static CleanupCutoffs At(DateTimeOffset now, int executionRetentionDays, int auditRetentionDays) =>
        new(now.AddDays(-executionRetentionDays), executionRetentionDays, now.AddDays(-auditRetentionDays), auditRetentionDays, now.AddHours(-24));
}

/// <summary>A row of <c>cronJobConfig</c>.</summary>
public sealed record ConfigValue(string Value, DateTimeOffset UpdatedAt, string? UpdatedBy);
