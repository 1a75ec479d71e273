using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Totallator.Bench.Compare;

/// <summary>
/// Hangfire 1.8 on Hangfire.PostgreSql, clustered the way Hangfire always is: every server polls the same storage. Defaults
/// except where a seconds-level schedule would otherwise mean nothing:
/// <list type="bullet">
/// <item><c>SchedulePollingInterval</c> 1 s (default 15 s): how often each server's RecurringJobScheduler looks for due
/// recurring jobs; the brief's figure, below which Hangfire advises against going.</item>
/// <item><c>QueuePollInterval</c> 100 ms (Hangfire.PostgreSql's default 15 s): how long an idle worker waits before it asks the
/// queue again; 15 s would add up to 15 s to every fire.</item>
/// <item><see cref="WorkerCount"/> 20 per server (Hangfire's default is min(5 × cores, 20) = 10 on this 2-core machine; 20 is
/// its default on a 4-core one, and no-op jobs never keep a worker long).</item>
/// </list>
/// Misfire handling stays Relaxed (Hangfire's default), and InvisibilityTimeout (a fetched job of a dead server is re-queued
/// after it) and DistributedLockTimeout keep Hangfire.PostgreSql's defaults (30 min, 10 min).
/// </summary>
public static class HangfireSettings
{
    public const int WorkerCount = 20;
    public static readonly TimeSpan SchedulePollingInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan QueuePollInterval = TimeSpan.FromMilliseconds(100);

    public static PostgreSqlStorageOptions StorageOptions() => new()
    {
        QueuePollInterval = QueuePollInterval,
        PrepareSchemaIfNecessary = true,
    };

    public static BackgroundJobServerOptions ServerOptions(string name) => new()
    {
        ServerName = name,
        WorkerCount = WorkerCount,
        SchedulePollingInterval = SchedulePollingInterval,
    };

    /// <summary>Creates Hangfire.PostgreSql's schema in a fresh database (the storage does it on construction), before any node starts.</summary>
    public static void PrepareSchema(string connectionString)
    {
        var options = StorageOptions();
        _ = new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }
}
