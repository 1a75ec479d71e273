using System.Globalization;

namespace Totallator.Tests.Faults.Infrastructure;

/// <summary>The configuration every fault case starts from, and command jobs that record each start in the effects file.</summary>
public static class FaultJobs
{
    /// <summary>
    /// Short leases and sweeps so that faults are detected in seconds, not the production defaults' half minute; the membership
    /// timing is the shipped default (Orleans:Membership). The heartbeat reminder is long on purpose: recovery must come from
    /// the dead-silo wake and the cluster start, not from a reminder that happened to tick.
    /// </summary>
    public static Dictionary<string, string> Base() => new(StringComparer.Ordinal)
    {
        ["Cron__Examples__Enabled"] = "false",
        ["Cron__BuiltIn__HistoryCleanup__Enabled"] = "false",
        ["Cron__Scheduler__HeartbeatPeriod"] = "00:01:00",
        ["Cron__Scheduler__LeaseDuration"] = "00:00:06",
        ["Cron__Scheduler__LeaseRenewInterval"] = "00:00:02",
        ["Cron__Scheduler__SweepInterval"] = "00:00:01",
        ["Cron__Scheduler__ClaimAhead"] = "00:00:01",
        ["Cron__Scheduler__MisfireThreshold"] = "00:00:03",
        ["Cron__Scheduler__StoreRetryDelay"] = "00:00:01",
        ["Cron__Scheduler__ShutdownGracePeriod"] = "00:00:10",
    };

    /// <summary>
    /// The silos' variable naming the effects file (set by LocalCluster). A command job's environment is explicit, so each job
    /// passes it through by name, as an operator would.
    /// </summary>
    public const string EffectsVariable = "FAULT_EFFECTS_FILE";

    /// <summary>
    /// A command job every <paramref name="periodSeconds"/> s that appends "slug occurrence-key retry execution-id" to the effects
    /// file (<see cref="EffectsVariable"/>) as it starts, then sleeps <paramref name="sleepSeconds"/>.
    /// </summary>
    public static void Add(Dictionary<string, string> configuration, string slug, int periodSeconds, double sleepSeconds = 0,
        string? misfirePolicy = null, int? runAllCap = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var prefix = $"Cron__Jobs__{slug}__";
        configuration[prefix + "Schedule"] = string.Create(CultureInfo.InvariantCulture, $"*/{periodSeconds} * * * * *");
        configuration[prefix + "Command"] = "/bin/sh";
        configuration[prefix + "Arguments__0"] = "-c";
        configuration[prefix + "Arguments__1"] = string.Create(CultureInfo.InvariantCulture,
            $"echo \"$TOTALLATOR_JOB $TOTALLATOR_OCCURRENCE_KEY $TOTALLATOR_RETRY_COUNT $TOTALLATOR_EXECUTION_ID\" >> \"${EffectsVariable}\"; sleep {sleepSeconds}");
        configuration[prefix + "PassEnvironment__0"] = EffectsVariable;
        configuration[prefix + "TimeoutMs"] = "60000";
        if (misfirePolicy is not null)
        {
            configuration[prefix + "MisfirePolicy"] = misfirePolicy;
        }
        if (runAllCap is { } cap)
        {
            configuration[prefix + "MisfireRunAllCap"] = cap.ToString(CultureInfo.InvariantCulture);
        }
    }
}
