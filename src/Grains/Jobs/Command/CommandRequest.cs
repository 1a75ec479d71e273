namespace Totallator.Grains.Jobs.Command;

/// <summary>What <see cref="CommandRunner"/> starts: an executable and its arguments, never a shell line.</summary>
internal sealed record CommandRequest
{
    /// <summary>Absolute path, or a name looked up on <c>PATH</c>.</summary>
    public required string FileName { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public string? WorkingDirectory { get; init; }
    /// <summary>
    /// The process's whole environment: nothing is inherited from the silo (see <see cref="CommandEnvironment"/>). Never logged:
    /// it may hold secrets.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public int MaxOutputBytes { get; init; } = CommandJobOptions.DefaultMaxOutputBytes;
}
