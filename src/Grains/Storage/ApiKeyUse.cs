namespace Totallator.Grains.Storage;

/// <summary>How an API key's use is recorded (<c>cronApiKey.lastUsedAt</c>, 0012_api_key_last_used.sql): to the minute.</summary>
public static class ApiKeyUse
{
    /// <summary>A use within this of the recorded one writes nothing: a busy key costs a write a minute, not one per check.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMinutes(1);

    /// <summary>Whether a use at <paramref name="now"/> is recorded over <paramref name="lastUsedAt"/>.</summary>
    public static bool IsWorthRecording(DateTimeOffset? lastUsedAt, DateTimeOffset now) => lastUsedAt is not { } last || last < now - Resolution;
}
