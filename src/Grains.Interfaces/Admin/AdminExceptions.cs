namespace Totallator.Grains.Interfaces.Admin;

/// <summary>PostgreSQL did not answer; nothing was changed. Callers should retry later (HTTP 503).</summary>
[GenerateSerializer, Alias("totallator.store-unavailable")]
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException() { }
    public StoreUnavailableException(string message) : base(message) { }
    public StoreUnavailableException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>An admin request was refused because a value is out of range or malformed; the message says which and why. Nothing was stored.</summary>
[GenerateSerializer, Alias("totallator.invalid-admin-input")]
public sealed class InvalidAdminInputException : Exception
{
    public InvalidAdminInputException() { }
    public InvalidAdminInputException(string message) : base(message) { }
    public InvalidAdminInputException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The field at fault, in camelCase (e.g. <c>historyRetentionDays</c>).</summary>
    [Id(0)] public string? Field { get; init; }
}
