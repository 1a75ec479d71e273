using System.CommandLine;

namespace Totallator.Cli;

/// <summary>The options every command takes (recursive: they may stand before or after the command's name).</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url") { Description = $"The AdminApi's address (else ${Connection.UrlVariable}, else the profile).", Recursive = true };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = $"The API key (else ${Connection.KeyVariable}, else the profile). Prefer the variable: a flag shows in the process list.",
        Recursive = true,
    };

    public Option<string?> Profile { get; } = new("--profile") { Description = $"The profile to use from the profile file (else ${Connection.ProfileVariable}, else 'default').", Recursive = true };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the API's answer as JSON, for scripts.", Recursive = true };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Print each request and its answer's status to stderr (never the key).", Recursive = true };

    public Option<int> Timeout { get; } = new("--timeout")
    {
        Description = "Seconds one request may take.", Recursive = true, DefaultValueFactory = _ => 30,
    };

    public IEnumerable<Option> All => [Url, ApiKey, Profile, Json, Verbose, Timeout];
}
