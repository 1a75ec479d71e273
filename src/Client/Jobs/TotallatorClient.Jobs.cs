using System.Runtime.CompilerServices;

namespace Totallator.Client;

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<JobListPage> ListJobsAsync(JobListQuery? query = null, CancellationToken cancellationToken = default)
    {
        var q = query ?? new JobListQuery();
        var text = new QueryString()
            .Add("q", q.Search).Add("state", q.States).Add("source", q.Source).Add("chain", q.Chain).Add("outcome", q.Outcome)
            .Add("sort", q.Sort).Add("order", q.Descending ? "desc" : null).Add("offset", q.Offset).Add("limit", q.Limit);
        return SendAsync<JobListPage>(HttpMethod.Get, "jobs" + text, null, cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JobView> ListAllJobsAsync(JobListQuery? query = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var q = query ?? new JobListQuery();
        var offset = q.Offset ?? 0;
        while (true)
        {
            var page = await ListJobsAsync(q with { Offset = offset }, cancellationToken).ConfigureAwait(false);
            foreach (var job in page.Items)
            {
                yield return job;
            }
            offset += page.Items.Count;
            if (page.Items.Count == 0 || offset >= page.Total)
            {
                yield break;
            }
        }
    }

    /// <inheritdoc />
    public Task<JobView> GetJobAsync(string slug, CancellationToken cancellationToken = default) =>
        SendAsync<JobView>(HttpMethod.Get, "jobs/" + Segment(slug), null, cancellationToken);

    /// <inheritdoc />
    public Task<JobView> UpdateJobAsync(string slug, JobPatch patch, int? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(patch);
        return SendAsync<JobView>(HttpMethod.Patch, "jobs/" + Segment(slug), patch, cancellationToken, IfMatch(expectedVersion));
    }

    /// <inheritdoc />
    public async Task<JobView> UpdateJobAsync(string slug, Func<JobView, JobPatch?> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        var current = await GetJobAsync(slug, cancellationToken).ConfigureAwait(false);
        return change(current) is { } patch
            ? await UpdateJobAsync(slug, patch, current.Version, cancellationToken).ConfigureAwait(false)
            : current;
    }

    /// <inheritdoc />
    public Task<JobView> EnableJobAsync(string slug, CancellationToken cancellationToken = default) =>
        SendAsync<JobView>(HttpMethod.Post, $"jobs/{Segment(slug)}/enable", null, cancellationToken);

    /// <inheritdoc />
    public Task<JobView> DisableJobAsync(string slug, CancellationToken cancellationToken = default) =>
        SendAsync<JobView>(HttpMethod.Post, $"jobs/{Segment(slug)}/disable", null, cancellationToken);

    /// <inheritdoc />
    public Task<JobView> CreateJobAsync(JobCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync<JobView>(HttpMethod.Post, "jobs", request, cancellationToken);
    }

    /// <inheritdoc />
    public Task<JobView> DeleteJobAsync(string slug, int? expectedVersion = null, CancellationToken cancellationToken = default) =>
        SendAsync<JobView>(HttpMethod.Delete, "jobs/" + Segment(slug), null, cancellationToken, IfMatch(expectedVersion));

    /// <inheritdoc />
    public Task<TriggerResult> TriggerJobAsync(string slug, TriggerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var o = options ?? new TriggerOptions();
        var headers = o.IdempotencyKey is { } key ? new Dictionary<string, string> { ["Idempotency-Key"] = key } : null;
        // The body is optional for the API; sent only when it says something.
        return SendAsync<TriggerResult>(HttpMethod.Post, $"jobs/{Segment(slug)}/trigger", o.Override ? new { @override = true } : null,
            cancellationToken, headers);
    }

    /// <inheritdoc />
    public async Task<ExecutionDetails> TriggerAndWaitAsync(string slug, TriggerOptions? options = null, WaitOptions? wait = null,
        CancellationToken cancellationToken = default)
    {
        var started = await TriggerJobAsync(slug, options, cancellationToken).ConfigureAwait(false);
        return await WaitForExecutionAsync(started.ExecutionId, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<ExecutionPage> ListExecutionsAsync(string slug, ExecutionQuery? query = null, CancellationToken cancellationToken = default)
    {
        var q = query ?? new ExecutionQuery();
        var text = new QueryString().Add("status", q.Statuses).Add("trigger", q.TriggerSources).Add("from", q.From).Add("to", q.To)
            .Add("offset", q.Offset).Add("limit", q.Limit);
        return SendAsync<ExecutionPage>(HttpMethod.Get, $"jobs/{Segment(slug)}/executions{text}", null, cancellationToken);
    }
}
