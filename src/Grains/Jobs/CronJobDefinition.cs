using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Jobs;

/// <summary>A job as defined in code or configuration. Synced to <c>cronJob</c> at start-up; an admin's later changes win.</summary>
public sealed record CronJobDefinition
{
    /// <summary>Stable id, lower-case letters, digits and dashes (e.g. <c>db-backup</c>).</summary>
    public required string Slug { get; init; }
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>
    /// Cron expression, 5 or 6 fields; <c>${VAR}</c> and <c>${VAR:-default}</c> are substituted from the environment. Empty for a job
    /// that runs only after its upstreams (<see cref="After"/>).
    /// </summary>
    public required string Schedule { get; init; }
    public bool Enabled { get; init; } = true;
    /// <summary>Per-attempt timeout; null takes the global default (<c>defaultTimeoutMs</c>) when the job is first stored.</summary>
    public int? TimeoutMs { get; init; }
    /// <summary>Further attempts after a failure; null takes the global default (<c>defaultMaxRetries</c>) when the job is first stored.</summary>
    public int? MaxRetries { get; init; }
    /// <summary>IANA time zone id; null takes the global default (<c>defaultTimeZone</c>, UTC unless changed) when the job is first stored.</summary>
    public string? TimeZone { get; init; }
    /// <summary>Null takes the global default (<c>defaultMisfirePolicy</c>) when the job is first stored.</summary>
    /// <remarks>For a job already stored, a null field keeps the stored value: the defaults only seed new jobs.</remarks>
    public MisfirePolicy? MisfirePolicy { get; init; }
    /// <summary>For <see cref="MisfirePolicy.RunAll"/>: most missed occurrences run after downtime.</summary>
    public int MisfireRunAllCap { get; init; } = 10;
    /// <summary>
    /// The jobs this one runs after (see <see cref="Upstream"/>). A job with upstreams may have an empty <see cref="Schedule"/>: it
    /// then runs only when they release it.
    /// </summary>
    public IReadOnlyList<Upstream> After { get; init; } = [];
    /// <summary><c>code</c> or <c>configuration</c>.</summary>
    public string Source { get; init; } = "code";
    /// <summary>Creates the job for one attempt, from the attempt's DI scope.</summary>
    public required Func<IServiceProvider, ICronJob> Factory { get; init; }
}
