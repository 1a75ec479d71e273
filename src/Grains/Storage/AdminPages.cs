using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Storage;

/// <summary>
/// Pages of the admin read side. Both stores fetch one row more than the page holds: its presence says there is a next page,
/// without counting the whole history.
/// </summary>
internal static class AdminPages
{
    public static ExecutionPage Executions(List<ExecutionSummary> fetched, ExecutionQuery query)
    {
        var (items, hasMore) = Cut(fetched, query.Limit);
        return new ExecutionPage { Items = items, Offset = query.Offset, Limit = query.Limit, HasMore = hasMore };
    }

    public static AuditPage Audit(List<AuditEntry> fetched, AuditQuery query, long trailRows)
    {
        var (items, hasMore) = Cut(fetched, query.Limit);
        return new AuditPage { Items = items, Offset = query.Offset, Limit = query.Limit, HasMore = hasMore, TrailRows = trailRows };
    }

    private static (List<T> Items, bool HasMore) Cut<T>(List<T> fetched, int limit) =>
        fetched.Count > limit ? (fetched[..limit], true) : (fetched, false);
}
