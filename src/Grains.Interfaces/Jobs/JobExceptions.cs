namespace Totallator.Grains.Interfaces.Jobs;

/// <summary>No job with the given slug exists.</summary>
[GenerateSerializer, Alias("totallator.job-not-found")]
public sealed class CronJobNotFoundException : Exception
{
    public CronJobNotFoundException() { }
    public CronJobNotFoundException(string message) : base(message) { }
    public CronJobNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>A configuration change was refused; the message says which field and why. Nothing was stored.</summary>
[GenerateSerializer, Alias("totallator.invalid-job-configuration")]
public sealed class InvalidJobConfigurationException : Exception
{
    public InvalidJobConfigurationException() { }
    public InvalidJobConfigurationException(string message) : base(message) { }
    public InvalidJobConfigurationException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The field at fault, in camelCase (e.g. <c>schedule</c>).</summary>
    [Id(0)] public string? Field { get; init; }

    /// <summary>Every field at fault with its messages, when there are several (e.g. <c>parameters.days</c> and <c>parameters.format</c>).</summary>
    [Id(1)] public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}

/// <summary>
/// The request clashes with what is stored: a slug or name already taken, or a job that only its definition can remove.
/// Nothing was stored.
/// </summary>
[GenerateSerializer, Alias("totallator.job-conflict")]
public sealed class JobConflictException : Exception
{
    public JobConflictException() { }
    public JobConflictException(string message) : base(message) { }
    public JobConflictException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The field at fault, in camelCase (e.g. <c>slug</c>).</summary>
    [Id(0)] public string? Field { get; init; }
}

/// <summary>The job changed since the caller read it (optimistic concurrency). Nothing was stored.</summary>
[GenerateSerializer, Alias("totallator.job-version-conflict")]
public sealed class JobVersionConflictException : Exception
{
    public JobVersionConflictException() { }
    public JobVersionConflictException(string message) : base(message) { }
    public JobVersionConflictException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The version now stored.</summary>
    [Id(0)] public int CurrentVersion { get; init; }
}
