using System.Collections.Specialized;
using System.Globalization;

namespace Totallator.Bench.Compare;

/// <summary>
/// Quartz.NET 4.7 as a cluster on PostgreSQL, the way Quartz documents it: AdoJobStore (LocalTransactionJobStore, 3.x's JobStoreTX) with the PostgreSQL delegate,
/// <c>clustered = true</c> (row locks in qrtz_locks, check-in every 7.5 s by default), instance id AUTO. Two profiles:
/// <list type="bullet">
/// <item><c>default</c>: nothing else set: a thread pool of 10, one trigger acquired per round trip.</item>
/// <item><c>tuned</c>: what Quartz's tuning advice offers for many short jobs: 50 threads (more jobs can start in one second), and
/// batch acquisition of up to 50 triggers per locked round trip (<c>batchTriggerAcquisitionMaxCount</c>, which Quartz caps at the
/// free threads). The fire-ahead window stays 0 so a batch only holds triggers due at the same instant and nothing fires early.
/// <c>acquireTriggersWithinLock</c> is set as Quartz asks for batch acquisition in a cluster.</item>
/// </list>
/// Everything else (misfire threshold 60 s, idle wait 30 s, check-in interval 7.5 s) is Quartz's default in both.
/// </summary>
public static class QuartzSettings
{
    public const string Default = "default";
    public const string Tuned = "tuned";
    public const int DefaultThreads = 10;
    public const int TunedThreads = 50;
    public const int TunedBatch = 50;

    public static NameValueCollection Properties(string connectionString, string profile)
    {
        var properties = new NameValueCollection
        {
            ["quartz.scheduler.instanceName"] = "TotallatorBench",
            ["quartz.scheduler.instanceId"] = "AUTO",
            ["quartz.jobStore.type"] = "Quartz.Impl.AdoJobStore.LocalTransactionJobStore, Quartz",
            ["quartz.jobStore.driverDelegateType"] = "Quartz.Impl.AdoJobStore.PostgreSQLDelegate, Quartz",
            ["quartz.jobStore.dataSource"] = "default",
            ["quartz.dataSource.default.provider"] = "Npgsql",
            ["quartz.dataSource.default.connectionString"] = connectionString,
            ["quartz.jobStore.clustered"] = "true",
            // The jobs carry no data; string-only maps are what Quartz recommends for a persistent store anyway.
            ["quartz.jobStore.useProperties"] = "true",
        };
        if (profile == Tuned)
        {
            properties["quartz.threadPool.maxConcurrency"] = TunedThreads.ToString(CultureInfo.InvariantCulture);
            properties["quartz.scheduler.batchTriggerAcquisitionMaxCount"] = TunedBatch.ToString(CultureInfo.InvariantCulture);
            properties["quartz.jobStore.acquireTriggersWithinLock"] = "true";
        }
        else if (profile != Default)
        {
            throw new BenchException($"Unknown Quartz profile '{profile}' (known: {Default}, {Tuned}).");
        }
        return properties;
    }

    /// <summary>A bench schedule in Quartz's cron dialect: the same six fields, with '?' for the day of week (Quartz wants one day field unset).</summary>
    public static string Cron(string schedule)
    {
        var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6 || fields[5] != "*")
        {
            throw new BenchException($"--compare needs a six-field schedule with '*' as day of week, not '{schedule}'.");
        }
        fields[5] = "?";
        return string.Join(' ', fields);
    }
}
