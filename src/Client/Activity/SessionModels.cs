namespace Totallator.Client;

/// <summary>Who the client is to the API.</summary>
/// <param name="Name">The key's name.</param>
/// <param name="Role"><c>viewer</c>, <c>operator</c> or <c>admin</c>.</param>
/// <param name="AuthenticatedBy">How the request was authenticated (an API key, for this client).</param>
/// <param name="AntiforgeryToken">Only for browser sessions; null for a key.</param>
public sealed record SessionInfo(string Name, string Role, string AuthenticatedBy, string? AntiforgeryToken);
