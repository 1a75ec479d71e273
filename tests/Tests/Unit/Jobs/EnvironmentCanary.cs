namespace Totallator.Tests.Unit.Jobs;

/// <summary>
/// Secrets set in this process's environment under the names a silo's own secrets have (<c>ConnectionStrings__*</c>,
/// <c>Admin__*</c>), each with a value that appears nowhere else: finding a value in a child's environment means it leaked.
/// The names carry a random suffix, so tests running in parallel (and configuration read from the environment) never see them.
/// </summary>
internal sealed class EnvironmentCanary : IDisposable
{
    public EnvironmentCanary()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        ConnectionStringName = $"ConnectionStrings__Canary{suffix}";
        ApiKeyName = $"Admin__ApiKeyCanary{suffix}";
        ConnectionStringValue = $"Host=db;Password=canary-pw-{Guid.NewGuid():N}";
        ApiKeyValue = $"canary-key-{Guid.NewGuid():N}";
        Environment.SetEnvironmentVariable(ConnectionStringName, ConnectionStringValue);
        Environment.SetEnvironmentVariable(ApiKeyName, ApiKeyValue);
    }

    public string ConnectionStringName { get; }
    public string ConnectionStringValue { get; }
    public string ApiKeyName { get; }
    public string ApiKeyValue { get; }

    /// <summary>Fails naming what leaked when <paramref name="text"/> holds a canary's name or value.</summary>
    public void AssertAbsentFrom(string? text)
    {
        foreach (var secret in new[] { ConnectionStringName, ConnectionStringValue, ApiKeyName, ApiKeyValue })
        {
            Assert.False((text ?? "").Contains(secret, StringComparison.Ordinal), $"'{secret}' reached the child's environment:\n{text}");
        }
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(ConnectionStringName, null);
        Environment.SetEnvironmentVariable(ApiKeyName, null);
    }
}
