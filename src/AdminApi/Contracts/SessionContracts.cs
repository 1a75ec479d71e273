namespace Totallator.AdminApi.Contracts;

/// <summary>Sign-in with an API key.</summary>
public sealed record SignInRequest(string? ApiKey);

/// <summary>Who is signed in, and the token to send as <c>X-CSRF-TOKEN</c> on state-changing requests of a browser session.</summary>
public sealed record SessionResponse(string Name, string Role, string AuthenticatedBy, string? AntiforgeryToken);
