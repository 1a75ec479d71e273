using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Jobs;

/// <summary>The settings a developer gives when registering a job in code; the code defaults that seed <c>cronJob</c>.</summary>
public sealed class CronJobOptions
{
    /// <summary>Display name; defaults to the slug.</summary>
    public string? Name { get; set; }
    public string Description { get; set; } = "";
    /// <summary>Enabled on first sync. Default: true.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>Per-attempt timeout. Default: the global <c>defaultTimeoutMs</c> (60 000 ms unless an admin changed it).</summary>
    public int? TimeoutMs { get; set; }
    /// <summary>Further attempts after a failure. Default: the global <c>defaultMaxRetries</c> (0 unless changed).</summary>
    public int? MaxRetries { get; set; }
    /// <summary>IANA time zone id. Default: the global <c>defaultTimeZone</c> (UTC unless changed).</summary>
    public string? TimeZone { get; set; }
    /// <summary>Default: the global <c>defaultMisfirePolicy</c> (run the latest missed occurrence once, unless changed).</summary>
    public MisfirePolicy? MisfirePolicy { get; set; }
    /// <summary>
    /// The jobs this one runs after: each a slug, or <c>slug:condition</c> with condition <c>success</c> (the default),
    /// <c>failure</c> or <c>completion</c>, e.g. <c>After = ["extract", "load:completion"]</c>. With several, the job runs once all
    /// of them have met their condition since its last such run.
    /// </summary>
    public IList<string> After { get; set; } = [];
    /// <summary>Cap for <see cref="MisfirePolicy.RunAll"/>. Default: 10.</summary>
    public int MisfireRunAllCap { get; set; } = 10;
}
