namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>The job types registered in code, with each one's parameters as a JSON schema (viewer).</summary>
    Task<IReadOnlyList<JobType>> ListJobTypesAsync(CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<IReadOnlyList<JobType>> ListJobTypesAsync(CancellationToken cancellationToken = default) =>
        SendAsync<IReadOnlyList<JobType>>(HttpMethod.Get, "job-types", null, cancellationToken);
}
