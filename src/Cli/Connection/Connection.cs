namespace Totallator.Cli;

/// <summary>
/// Where the API is and the key to call it with, each from the first place that gives it: the flag (<c>--url</c>,
/// <c>--api-key</c>), the environment (<c>TOTALLATOR_URL</c>, <c>TOTALLATOR_API_KEY</c>), the profile (<c>--profile</c>, else
/// <c>TOTALLATOR_PROFILE</c>, else <c>default</c>).
/// </summary>
internal sealed record Connection(Uri Url, string ApiKey)
{
    public const string UrlVariable = "TOTALLATOR_URL";
    public const string KeyVariable = "TOTALLATOR_API_KEY";
    public const string ProfileVariable = "TOTALLATOR_PROFILE";

    public static Connection Resolve(string? urlFlag, string? keyFlag, string? profileFlag, CliEnvironment environment, Terminal terminal)
    {
        var url = NonEmpty(urlFlag) ?? environment.Get(UrlVariable);
        var key = NonEmpty(keyFlag) ?? environment.Get(KeyVariable);
        var profileName = NonEmpty(profileFlag) ?? environment.Get(ProfileVariable);
        var path = ProfileFile.PathFor(environment);
        if (url is null || key is null || profileName is not null)
        {
            var profile = FindProfile(path, profileName, terminal);
            url ??= profile?.Url;
            key ??= profile?.ApiKey ?? ReadKeyFile(profile?.ApiKeyFile, environment);
        }
        // Hidden before anything can fail: from here on no message prints it.
        terminal.Hide(key);
        if (url is null)
        {
            throw new UsageException($"No API address: pass --url, set {UrlVariable}, or add a profile to {path}.");
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"'{url}' is not an http or https address.");
        }
        if (key is null)
        {
            throw new UsageException($"No API key: set {KeyVariable} (preferred: a flag shows in the process list), pass --api-key, or add it to a profile in {path}.");
        }
        return new Connection(uri, key.Trim());
    }

    private static ProfileFile.Profile? FindProfile(string path, string? name, Terminal terminal)
    {
        var file = ProfileFile.Read(path);
        if (file is null)
        {
            return name is null ? null : throw new UsageException($"No profile '{name}': there is no profile file at {path}.");
        }
        if (ProfileFile.IsReadableByOthers(path))
        {
            terminal.Error($"warning: {path} can be read by other users; it may hold API keys (chmod 600 {path}).");
        }
        if (file.Profiles.TryGetValue(name ?? "default", out var profile))
        {
            return profile;
        }
        return name is null ? null
            : throw new UsageException($"No profile '{name}' in {path} (it has: {(file.Profiles.Count == 0 ? "none" : string.Join(", ", file.Profiles.Keys))}).");
    }

    private static string? ReadKeyFile(string? path, CliEnvironment environment)
    {
        if (path is null)
        {
            return null;
        }
        var full = path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(environment.Home, path[2..]) : path;
        if (!File.Exists(full))
        {
            throw new UsageException($"The profile's apiKeyFile {full} does not exist.");
        }
        return NonEmpty(File.ReadLines(full).FirstOrDefault()?.Trim());
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>The command line cannot be carried out as given; the message says why (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
