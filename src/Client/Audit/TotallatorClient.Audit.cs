namespace Totallator.Client;

public partial interface ITotallatorClient
{
    /// <summary>A page of the audit trail, newest first (viewer).</summary>
    Task<AuditPage> ListAuditAsync(AuditQuery? query = null, CancellationToken cancellationToken = default);
}

public sealed partial class TotallatorClient
{
    /// <inheritdoc />
    public Task<AuditPage> ListAuditAsync(AuditQuery? query = null, CancellationToken cancellationToken = default)
    {
        var q = query ?? new AuditQuery();
        var text = new QueryString().Add("job", q.JobSlug).Add("actor", q.Actor).Add("action", q.Action).Add("from", q.From).Add("to", q.To)
            .Add("offset", q.Offset).Add("limit", q.Limit);
        return SendAsync<AuditPage>(HttpMethod.Get, "audit" + text, null, cancellationToken);
    }
}
