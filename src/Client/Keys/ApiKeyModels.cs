namespace Totallator.Client;

/// <summary>What a key may do. Each role includes the ones before it.</summary>
public enum AdminRole
{
    /// <summary>Reads jobs, history, statistics, settings and the audit trail.</summary>
    Viewer,
    /// <summary>Also enables, disables, triggers and cancels.</summary>
    Operator,
    /// <summary>Also edits jobs and settings, cleans up history and manages API keys.</summary>
    Admin,
}

/// <summary>A stored API key, without the key itself.</summary>
public sealed record ApiKeyInfo
{
    /// <summary>The key's id (to revoke it).</summary>
    public Guid Id { get; init; }
    /// <summary>Its name.</summary>
    public string Name { get; init; } = "";
    /// <summary>Its role.</summary>
    public AdminRole Role { get; init; }
    /// <summary>The first characters of the key, to tell keys apart.</summary>
    public string Prefix { get; init; } = "";
    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>Who created it.</summary>
    public string CreatedBy { get; init; } = "";
    /// <summary>When it was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
    /// <summary>Who revoked it.</summary>
    public string? RevokedBy { get; init; }
    /// <summary>When it was last used, to the minute.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }
}

/// <summary>A created key. <see cref="Key"/> is shown this once and never again: store it now.</summary>
/// <param name="Id">The key's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="Role">Its role (<c>viewer</c>, <c>operator</c> or <c>admin</c>).</param>
/// <param name="Prefix">Its first characters.</param>
/// <param name="Key">The key.</param>
public sealed record CreatedApiKey(Guid Id, string Name, string Role, string Prefix, string Key)
{
    /// <summary>Leaves the key itself out, so that logging the record does not leak it.</summary>
    public override string ToString() => $"CreatedApiKey {{ Id = {Id}, Name = {Name}, Role = {Role}, Prefix = {Prefix} }}";
}
