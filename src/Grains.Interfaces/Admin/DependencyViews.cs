using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Interfaces.Admin;

/// <summary>One job this job runs after, as admins see the edge.</summary>
[GenerateSerializer, Immutable, Alias("totallator.upstream-view")]
public sealed record UpstreamView
{
    [Id(0)] public required string Slug { get; init; }
    [Id(1)] public required DependencyCondition Condition { get; init; }
    /// <summary>
    /// Why the edge cannot signal this job (the upstream does not exist, is disabled, no longer defined, or cannot be
    /// scheduled); null while it works. A job with a broken edge waits for it: the page says so.
    /// </summary>
    [Id(2)] public string? Broken { get; init; }
    /// <summary>
    /// For one job read on its own: whether this upstream has signalled the job since its last dependency run (the run waits for
    /// the others). Null in lists.
    /// </summary>
    [Id(3)] public bool? Signalled { get; init; }
}

/// <summary>One job that runs after this job.</summary>
[GenerateSerializer, Immutable, Alias("totallator.downstream-view")]
public sealed record DownstreamView([property: Id(0)] string Slug, [property: Id(1)] DependencyCondition Condition);

/// <summary>One execution of a chain of dependency runs, next to the one being looked at.</summary>
/// <param name="JobSlug">Its job.</param>
/// <param name="ExecutionId">The execution; null for a signal not consumed yet (the downstream waits for its other upstreams).</param>
/// <param name="Status">Its status, when there is an execution.</param>
[GenerateSerializer, Immutable, Alias("totallator.chain-link")]
public sealed record ChainLink([property: Id(0)] string JobSlug, [property: Id(1)] Guid? ExecutionId, [property: Id(2)] ExecutionStatus? Status);
