using System.Text.Json;
using System.Text.Json.Serialization;

namespace Totallator.Cli;

/// <summary>
/// The profile file: named connections, so that an address and key need not be typed or kept in the environment.
/// <c>$TOTALLATOR_PROFILE_FILE</c>, else <c>$XDG_CONFIG_HOME/totallator/profile.json</c>, else <c>~/.config/totallator/profile.json</c>:
/// <code>
/// { "profiles": { "default": { "url": "https://cron.example.com", "apiKey": "..." },
///                 "staging": { "url": "https://cron.staging.example.com", "apiKeyFile": "~/.secrets/totallator-staging" } } }
/// </code>
/// </summary>
internal sealed record ProfileFile
{
    public Dictionary<string, Profile> Profiles { get; init; } = new(StringComparer.Ordinal);

    internal sealed record Profile
    {
        public string? Url { get; init; }
        public string? ApiKey { get; init; }
        /// <summary>A file holding the key (first line), e.g. one a secrets manager writes.</summary>
        public string? ApiKeyFile { get; init; }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static string PathFor(CliEnvironment environment) =>
        environment.Get("TOTALLATOR_PROFILE_FILE")
        ?? Path.Combine(environment.Get("XDG_CONFIG_HOME") ?? Path.Combine(environment.Home, ".config"), "totallator", "profile.json");

    /// <summary>The file, or null when there is none. Throws <see cref="UsageException"/> when it cannot be read as a profile file.</summary>
    public static ProfileFile? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<ProfileFile>(File.ReadAllText(path), Json) ?? new ProfileFile();
        }
        catch (JsonException e)
        {
            // The parser's message names the line and field, never a value: the file holds keys.
            throw new UsageException($"The profile file {path} is not valid: {e.Message.Split(" Path:")[0]} (at {e.Path}, line {e.LineNumber + 1}).");
        }
    }

    /// <summary>Whether users other than the owner may read the file (a key in it then is everyone's on that machine).</summary>
    public static bool IsReadableByOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0;
}
