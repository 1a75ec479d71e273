namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>Every API key, revoked ones included; never the keys themselves (admin).</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Creates a key (admin). The answer holds the key this once: store it now.</summary>
    Task<CreatedApiKey> CreateApiKeyAsync(string name, AdminRole role, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key (admin); it stops working within the API's key cache period.</summary>
    /// <exception cref="TotallatorNotFoundException">No active key with this id.</exception>
    Task RevokeApiKeyAsync(Guid keyId, CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<ApiKeyInfo>>(HttpMethod.Get, "keys", null, cancellationToken);

    /// <inheritdoc />
    public Task<CreatedApiKey> CreateApiKeyAsync(string name, AdminRole role, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return SendAsync<CreatedApiKey>(HttpMethod.Post, "keys", new { name, role = QueryString.Name(role) }, cancellationToken);
    }

    /// <inheritdoc />
    public Task RevokeApiKeyAsync(Guid keyId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"keys/{keyId}", null, cancellationToken);
}
