namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>The built-in <c>file-integrity</c> job (<see cref="FileIntegrityJob"/>), configured under <c>Cron:BuiltIn:FileIntegrity</c>.</summary>
public sealed class FileIntegrityOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Cron:BuiltIn:FileIntegrity";

    /// <summary>The manifest's file name when <see cref="ManifestPath"/> is not set.</summary>
    public const string DefaultManifestFileName = ".totallator-manifest.json";

    /// <summary>Whether the job is registered at all. Default: false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Cron expression (UTC). Default: <c>0 * * * *</c>, hourly. Each run reads every byte under <see cref="Directory"/>, so large trees want a sparser schedule.</summary>
    public string Schedule { get; set; } = "0 * * * *";

    /// <summary>The tree to watch, recursively (hidden files included). Required when enabled.</summary>
    public string? Directory { get; set; }

    /// <summary>
    /// Where the hashes of the last run are kept. Default: <c>&lt;Directory&gt;/.totallator-manifest.json</c>, which is itself not
    /// hashed. Keeping it outside the tree stops anyone who can write the tree from rewriting the baseline too.
    /// </summary>
    public string? ManifestPath { get; set; }

    /// <summary>Per-attempt timeout; when it passes the run stops and the manifest is left as it was. Default: 600 000 ms (10 minutes).</summary>
    public int TimeoutMs { get; set; } = 600_000;

    /// <summary>The manifest path in effect: <see cref="ManifestPath"/>, or the default inside <see cref="Directory"/>.</summary>
    internal string ResolveManifestPath() =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(ManifestPath) ? Path.Combine(Directory ?? "", DefaultManifestFileName) : ManifestPath);
}
