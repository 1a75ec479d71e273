namespace Totallator.Grains.Interfaces.Admin;

/// <summary>
/// API keys for machines and for browser sign-in, stored hashed in PostgreSQL. The AdminApi generates a key and sends only its
/// SHA-256 hash and display prefix, so the secret never leaves the AdminApi. A stateless worker: use key 0.
/// </summary>
[Alias("totallator.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithIntegerKey
{
    /// <summary>Stores a new key (audited); throws <see cref="InvalidAdminInputException"/> for a bad or duplicate name.</summary>
    [Alias("Create")]
    Task<ApiKeyInfo> CreateAsync(NewApiKey key, AdminActor actor);

    /// <summary>Revokes a key at once (audited); false when there is no such active key.</summary>
    [Alias("Revoke")]
    Task<bool> RevokeAsync(Guid keyId, AdminActor actor);

    /// <summary>All keys, revoked ones included, newest first. Never their hashes.</summary>
    [Alias("List")]
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync();

    /// <summary>The active key with this hash (lower-case hex SHA-256), or null when unknown or revoked.</summary>
    [Alias("Authenticate")]
    Task<ApiKeyInfo?> AuthenticateAsync(string keyHash);
}

/// <summary>A key to store: its name, role, hash and the prefix shown to admins.</summary>
[GenerateSerializer, Immutable, Alias("totallator.new-api-key")]
public sealed record NewApiKey
{
    /// <summary>1 to 100 characters: letters, digits, <c>.-_ </c>.</summary>
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required AdminRole Role { get; init; }
    /// <summary>Lower-case hex SHA-256 of the whole key.</summary>
    [Id(2)] public required string KeyHash { get; init; }
    /// <summary>The first characters of the key, to tell keys apart in lists.</summary>
    [Id(3)] public required string Prefix { get; init; }
}

/// <summary>A stored key, without its hash.</summary>
[GenerateSerializer, Immutable, Alias("totallator.api-key-info")]
public sealed record ApiKeyInfo
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required AdminRole Role { get; init; }
    [Id(3)] public required string Prefix { get; init; }
    [Id(4)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public required string CreatedBy { get; init; }
    [Id(6)] public DateTimeOffset? RevokedAt { get; init; }
    [Id(7)] public string? RevokedBy { get; init; }
    /// <summary>When the key was last used to authenticate, to the minute (see 0012_api_key_last_used.sql); null if never.</summary>
    [Id(8)] public DateTimeOffset? LastUsedAt { get; init; }
}
