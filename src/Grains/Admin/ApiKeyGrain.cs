using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Admin;

/// <summary>
/// API keys, stored as their SHA-256 hash. A stateless worker: authentication runs on every request of the AdminApi, so every
/// silo answers it locally. The hash never goes into the audit trail: it is what a stolen copy of the trail would need.
/// </summary>
[StatelessWorker]
public sealed partial class ApiKeyGrain(IAdminStore admin, TimeProvider timeProvider, ILogger<ApiKeyGrain> logger) : Grain, IApiKeyGrain
{
    public Task<ApiKeyInfo> CreateAsync(NewApiKey key, AdminActor actor)
    {
        ArgumentNullException.ThrowIfNull(key);
        AdminInput.Actor(actor);
        if (key.Name is null || !NamePattern().IsMatch(key.Name) || key.Name.Trim() != key.Name)
        {
            throw AdminInput.Invalid("name", "A key name has 1 to 100 characters: letters, digits, spaces, '.', '-' and '_', not starting or ending with a space.");
        }
        if (!Enum.IsDefined(key.Role))
        {
            throw AdminInput.Invalid("role", $"Unknown role {(int)key.Role}; use viewer, operator or admin.");
        }
        if (!IsHash(key.KeyHash))
        {
            throw AdminInput.Invalid("keyHash", "The key hash must be the lower-case hex SHA-256 of the key (64 characters).");
        }
        if (string.IsNullOrWhiteSpace(key.Prefix) || key.Prefix.Length > 32)
        {
            throw AdminInput.Invalid("prefix", "The prefix must have 1 to 32 characters.");
        }
        var now = timeProvider.GetUtcNow();
        var info = new ApiKeyInfo
        {
            // At PostgreSQL's precision (microseconds), so the answer equals what a later list reads back.
            Id = Guid.CreateVersion7(), Name = key.Name, Role = key.Role, Prefix = key.Prefix,
            CreatedAt = StorePrecision.Microseconds(now), CreatedBy = actor.Name,
        };
        var audit = new AuditEntry
        {
            Id = Guid.CreateVersion7(), At = info.CreatedAt, Actor = actor.Name, Action = "apikey.create", Target = info.Id.ToString(), RequestId = actor.RequestId,
            NewValuesJson = AuditJson.Of([
                KeyValuePair.Create("name", (JsonNode?)info.Name), KeyValuePair.Create("role", (JsonNode?)AdminRoleText.ToText(info.Role)),
                KeyValuePair.Create("prefix", (JsonNode?)info.Prefix)]),
        };
        return StoreGuard.RunAsync(logger, "storing an API key", async () =>
        {
            await admin.CreateApiKeyAsync(info, key.KeyHash, audit, CancellationToken.None);
            LogCreated(logger, info.Name, info.Role, actor.Name);
            return info;
        });
    }

    public Task<bool> RevokeAsync(Guid keyId, AdminActor actor)
    {
        AdminInput.Actor(actor);
        var now = timeProvider.GetUtcNow();
        var audit = new AuditEntry
        {
            Id = Guid.CreateVersion7(), At = now, Actor = actor.Name, Action = "apikey.revoke", Target = keyId.ToString(), RequestId = actor.RequestId,
            NewValuesJson = AuditJson.Of([KeyValuePair.Create("revokedAt", (JsonNode?)now)]),
        };
        return StoreGuard.RunAsync(logger, "revoking an API key", async () =>
        {
            var revoked = await admin.RevokeApiKeyAsync(keyId, now, actor.Name, audit, CancellationToken.None);
            if (revoked)
            {
                LogRevoked(logger, keyId, actor.Name);
            }
            return revoked;
        });
    }

    public Task<IReadOnlyList<ApiKeyInfo>> ListAsync() =>
        StoreGuard.RunAsync(logger, "listing API keys", () => admin.ListApiKeysAsync(CancellationToken.None));

    public Task<ApiKeyInfo?> AuthenticateAsync(string keyHash) => IsHash(keyHash)
        ? StoreGuard.RunAsync(logger, "checking an API key", () => admin.FindActiveApiKeyAsync(keyHash, timeProvider.GetUtcNow(), CancellationToken.None))
        : Task.FromResult<ApiKeyInfo?>(null);

    private static bool IsHash(string? hash) => hash is not null && HashPattern().IsMatch(hash);

    [GeneratedRegex(@"^[\p{L}\p{Nd} ._-]{1,100}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HashPattern();
}
