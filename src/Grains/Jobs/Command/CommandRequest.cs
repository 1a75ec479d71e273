namespace Totallator.Grains.Jobs.Command;

/// <summary>What <see cref="CommandRunner"/> starts: an executable and its arguments, never a shell line.</summary>
internal sealed record CommandRequest
{
    /// <summary>Absolute path, or a name looked up on <c>PATH</c>.</summary>
    public required string FileName { get; init; }
    public IReadOnlyList<string> Arguments { get; init; } = [];
    public string? WorkingDirectory { get; init; }
    /// <summary>Variables added to (or, with a null value, removed from) the inherited environment. Never logged: they may hold secrets.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();
    public int MaxOutputBytes { get; init; } = CommandJobOptions.DefaultMaxOutputBytes;
}
