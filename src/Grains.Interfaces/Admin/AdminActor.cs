namespace Totallator.Grains.Interfaces.Admin;

/// <summary>Who makes an admin change, for the audit trail: a user name or an API key's name, and the HTTP request id.</summary>
[GenerateSerializer, Immutable, Alias("totallator.admin-actor")]
public sealed record AdminActor
{
    /// <summary>The signed-in user or key (e.g. <c>key:deploy-bot</c>). Never a secret.</summary>
    [Id(0)] public required string Name { get; init; }
    /// <summary>The request that made the change, so an audit row can be matched with access logs.</summary>
    [Id(1)] public string? RequestId { get; init; }
}

/// <summary>What a caller may do. Each role includes the ones before it.</summary>
[GenerateSerializer, Alias("totallator.admin-role")]
public enum AdminRole
{
    /// <summary>Reads jobs, history, statistics, settings and the audit trail.</summary>
    Viewer = 0,
    /// <summary>Also enables, disables, triggers and cancels.</summary>
    Operator = 1,
    /// <summary>Also edits job configuration and global settings, cleans up history and manages API keys.</summary>
    Admin = 2,
}
