using System.Collections.Concurrent;
using Totallator.Grains.Jobs;

namespace Totallator.Tests.Cluster.Infrastructure;

/// <summary>
/// Jobs whose behaviour each test sets. Every test job is registered in every test silo (disabled), under a slug owned by one
/// test; the test sets its behaviour, then enables or triggers it through the grain, as an admin would.
/// </summary>
public static class TestJobs
{
    private static readonly ConcurrentDictionary<string, Func<CronJobContext, Task<CronJobResult>>> Behaviours = new();
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<Invocation>> Calls = new();

    /// <summary>Jobs spread over a 3-silo cluster, one of which is killed (declared before <see cref="Schedules"/>, which uses it).</summary>
    public static readonly IReadOnlyList<string> KillSlugs = [.. Enumerable.Range(0, 24).Select(i => $"t-kill-{i:D2}")];

    /// <summary>Jobs the admin API tests drive through HTTP (their own cluster; each slug owned by one test).</summary>
    public static readonly IReadOnlyList<string> ApiSlugs =
    [
        "t-api-list", "t-api-patch", "t-api-etag", "t-api-toggle", "t-api-trigger", "t-api-slow", "t-api-idem", "t-api-rate",
        "t-api-matrix", "t-api-bad", "t-api-history", "t-api-cancel", "t-api-session", "t-api-audit", "t-api-late-end",
        "t-ui-list", "t-ui-live", "t-ui-toggle", "t-ui-edit", "t-ui-invalid", "t-ui-viewer", "t-tel-api", "t-api-oneoff", "t-ui-oneoff",
        "t-client-toggle", "t-client-wait", "t-client-retry", "t-client-etag", "t-client-idem", "t-client-shape", "t-client-busy", "t-cli-toggle", "t-cli-run", "t-cli-tour",
    ];

    /// <summary>Jobs whose run data the database cannot hold as produced (NUL, half a surrogate pair, NaN), and healthy ones beside them.</summary>
    public static readonly IReadOnlyList<string> BytesSlugs =
        ["t-bytes-nul", "t-bytes-nan", "t-bytes-cut", .. Enumerable.Range(0, 8).Select(i => $"t-bytes-ok-{i}")];

    /// <summary>A job whose name is markup: the admin pages must show it as text.</summary>
    public const string HostileSlug = "t-ui-xss";
    public const string HostileName = "<script>alert('xss')</script> & <b>bold</b>";

    /// <summary>Slug → schedule of every test job. Slugs are owned by one test each.</summary>
    public static readonly IReadOnlyDictionary<string, string> Schedules = new Dictionary<string, string>
    {
        ["t-fires"] = "* * * * * *",
        ["t-lost-reply"] = "*/5 * * * * *",
        ["t-end-pending"] = "* * * * * *",
        ["t-timeout-coop"] = "0 0 1 1 *",
        ["t-timeout-stubborn"] = "0 0 1 1 *",
        ["t-retry"] = "0 0 1 1 *",
        ["t-retry-lost"] = "0 0 1 1 *",
        ["t-retry-change"] = "* * * * * *",
        ["t-overlap"] = "* * * * * *",
        ["t-manual"] = "0 0 1 1 *",
        ["t-disable"] = "* * * * * *",
        ["t-config"] = "* * * * * *",
        ["t-cancel"] = "0 0 1 1 *",
        ["t-split"] = "* * * * * *",
        ["t-failover-1"] = "* * * * * *",
        ["t-failover-2"] = "* * * * * *",
        ["t-failover-3"] = "* * * * * *",
        ["t-failover-4"] = "* * * * * *",
        ["t-shutdown-quick"] = "0 0 1 1 *",
        ["t-shutdown-slow"] = "0 0 1 1 *",
        ["t-shutdown-due"] = "* * * * * *",
        ["t-shutdown-hold"] = "0 0 1 1 *",
        ["t-stop-renew"] = "0 0 1 1 *",
        ["t-pause-restart"] = "* * * * * *",
        ["t-breaker"] = "* * * * * *",
        ["t-ui-breaker"] = "* * * * * *",
        ["t-breaker-load"] = "0 0 1 1 *",
        ["t-misfire-once"] = "*/2 * * * * *",
        ["t-misfire-skip"] = "*/2 * * * * *",
        ["t-misfire-all"] = "*/2 * * * * *",
        ["t-ahead"] = "* * * * * *",
        ["t-ahead-release"] = "*/5 * * * * *",
        ["t-ahead-long"] = "*/5 * * * * *",
        ["t-admin-stats"] = "* * * * * *",
        ["t-admin-pause"] = "* * * * * *",
        ["t-admin-idem"] = "0 0 1 1 *",
        ["t-admin-idem-lost"] = "0 0 1 1 *",
        ["t-admin-lost-unkeyed"] = "0 0 1 1 *",
        ["t-admin-audit"] = "0 0 1 1 *",
        ["t-tel-ok"] = "* * * * * *",
        ["t-tel-retry"] = "0 0 1 1 *",
        ["t-tel-trace"] = "0 0 1 1 *",
        ["t-tel-scope"] = "0 0 1 1 *",
        ["t-tel-conflict"] = "* * * * * *",
        ["t-sleep"] = "*/15 * * * * *",
        ["t-tel-overlap"] = "* * * * * *",
        ["t-tel-stuck"] = "* * * * * *",
        ["t-oneoff-run"] = "0 0 1 1 *",
        ["t-oneoff-cancel"] = "0 0 1 1 *",
        ["t-oneoff-disabled"] = "0 0 1 1 *",
        ["t-oneoff-late"] = "0 0 1 1 *",
        ["t-oneoff-skip"] = "0 0 1 1 *",
    }.Concat(ApiSlugs.Select(s => KeyValuePair.Create(s, "0 0 1 1 *"))).Concat(KillSlugs.Select(s => KeyValuePair.Create(s, "* * * * * *")))
        .Concat(BytesSlugs.Select(s => KeyValuePair.Create(s, "0 0 1 1 *"))).ToDictionary();

    /// <summary>A job defined in code with a schedule that cannot be parsed: it must show as invalid, never stop the silo.</summary>
    public const string InvalidSlug = "t-invalid";

    public static IEnumerable<CronJobDefinition> Definitions() =>
        Schedules.Select(kv => new CronJobDefinition
        {
            Slug = kv.Key, Name = "Test " + kv.Key, Schedule = kv.Value, Enabled = false, TimeoutMs = 10_000,
            MisfirePolicy = kv.Key switch
            {
                "t-misfire-skip" => Grains.Interfaces.Jobs.MisfirePolicy.Skip,
                "t-misfire-all" => Grains.Interfaces.Jobs.MisfirePolicy.RunAll,
                "t-oneoff-skip" => Grains.Interfaces.Jobs.MisfirePolicy.Skip,
                _ => Grains.Interfaces.Jobs.MisfirePolicy.RunOnce,
            },
            MisfireRunAllCap = 2,
            Factory = _ => new ProgrammableJob(),
        }).Append(new CronJobDefinition
        {
            Slug = HostileSlug, Name = HostileName, Schedule = "0 0 1 1 *", Enabled = false, Factory = _ => new ProgrammableJob(),
        }).Concat(DependencyDefinitions()).Append(new CronJobDefinition
        {
            Slug = InvalidSlug, Name = "Test invalid", Schedule = "every tuesday at noon", Enabled = true, Factory = _ => new ProgrammableJob(),
        });

    /// <summary>Jobs that run after others (issue 14): slug → (After, MaxRetries). All without a schedule of their own.</summary>
    public static readonly IReadOnlyDictionary<string, (string[] After, int MaxRetries)> Dependent = new Dictionary<string, (string[], int)>
    {
        ["t-dep-b"] = (["t-dep-a"], 0),
        ["t-dep-c"] = (["t-dep-b:completion"], 0),
        ["t-fan-z"] = (["t-fan-x", "t-fan-y"], 0),
        ["t-dep-retry-down"] = (["t-dep-retry-up:completion"], 0),
        ["t-dep-fail-down"] = (["t-dep-retry-up:failure"], 0),
        ["t-dep-ok-down"] = (["t-dep-retry-up"], 0),
        ["t-api-dep-down"] = (["t-api-dep-up"], 0),
        ["t-ui-dep-down"] = (["t-ui-dep-up"], 0),
    };

    /// <summary>The upstream jobs of <see cref="Dependent"/>: run by a manual trigger.</summary>
    public static readonly IReadOnlyList<string> Upstreams = ["t-dep-a", "t-fan-x", "t-fan-y", "t-dep-retry-up", "t-api-dep-up", "t-ui-dep-up"];

    private static IEnumerable<CronJobDefinition> DependencyDefinitions() =>
        Upstreams.Select(slug => new CronJobDefinition
        {
            Slug = slug, Name = "Test " + slug, Schedule = "0 0 1 1 *", Enabled = false, TimeoutMs = 10_000,
            MaxRetries = slug == "t-dep-retry-up" ? 2 : 0, Factory = _ => new ProgrammableJob(),
        }).Concat(Dependent.Select(kv => new CronJobDefinition
        {
            Slug = kv.Key, Name = "Test " + kv.Key, Schedule = "", Enabled = false, TimeoutMs = 10_000, MaxRetries = kv.Value.MaxRetries,
            After = Grains.Dependencies.UpstreamList.Parse(kv.Key, kv.Value.After), Factory = _ => new ProgrammableJob(),
        }));

    /// <summary>Sets what the job does when it runs.</summary>
    public static void Set(string slug, Func<CronJobContext, Task<CronJobResult>> behaviour) => Behaviours[slug] = behaviour;

    /// <summary>Every attempt the job code actually started, as the job saw it.</summary>
    public static IReadOnlyList<Invocation> InvocationsOf(string slug) => Calls.GetOrAdd(slug, _ => new()).ToList();

    public sealed record Invocation(string OccurrenceKey, DateTimeOffset ScheduledFor, DateTimeOffset StartedAt, int RetryCount, Guid ExecutionId);

    private sealed class ProgrammableJob : ICronJob
    {
        public Task<CronJobResult> ExecuteAsync(CronJobContext context)
        {
            Calls.GetOrAdd(context.JobSlug, _ => new()).Enqueue(
                new Invocation(context.OccurrenceKey, context.ScheduledFor, DateTimeOffset.UtcNow, context.RetryCount, context.ExecutionId));
            return Behaviours.TryGetValue(context.JobSlug, out var behaviour)
                ? behaviour(context)
                : Task.FromResult(CronJobResult.Succeeded("default test behaviour", 1));
        }
    }
}
