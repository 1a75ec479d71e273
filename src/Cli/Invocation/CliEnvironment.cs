namespace Totallator.Cli;

/// <summary>What the command line reads from its surroundings: environment variables (the home directory among them).</summary>
/// <param name="Variables">The environment, by name.</param>
public sealed record CliEnvironment(IReadOnlyDictionary<string, string?> Variables)
{
    /// <summary>The process's environment.</summary>
    public static CliEnvironment FromProcess() =>
        new(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal));

    /// <summary>A variable's value; null when unset or empty.</summary>
    public string? Get(string name) => Variables.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;

    /// <summary>The user's home directory.</summary>
    public string Home => Get("HOME") ?? Get("USERPROFILE") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
}
