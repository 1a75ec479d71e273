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
    /// <summary>Per-attempt timeout. Default: 60 000 ms.</summary>
    public int TimeoutMs { get; set; } = 60_000;
    /// <summary>Further attempts after a failure. Default: 0.</summary>
    public int MaxRetries { get; set; }
    /// <summary>IANA time zone id. Default: UTC.</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>Default: run the latest missed occurrence once.</summary>
    public MisfirePolicy MisfirePolicy { get; set; } = MisfirePolicy.RunOnce;
    /// <summary>Cap for <see cref="MisfirePolicy.RunAll"/>. Default: 10.</summary>
    public int MisfireRunAllCap { get; set; } = 10;
}
