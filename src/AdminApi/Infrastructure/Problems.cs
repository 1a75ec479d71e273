using Microsoft.AspNetCore.Mvc;

namespace Totallator.AdminApi.Infrastructure;

/// <summary>RFC 7807 answers, each carrying the request id so an admin can match it with the logs and the audit trail.</summary>
public static class Problems
{
    public const string RequestIdKey = "requestId";

    /// <summary>On a 401 that ends a session: why (key revoked, signed out, expired), so the page can say so.</summary>
    public const string SignedOutReasonKey = "signedOutReason";

    /// <summary>A problem result for a handler.</summary>
    public static IResult Result(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { [RequestIdKey] = context.TraceIdentifier };
        return TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: all);
    }

    /// <summary>400 with messages per field (camelCase names, as in the JSON).</summary>
    public static IResult Invalid(HttpContext context, string field, string message) =>
        Invalid(context, new Dictionary<string, string[]> { [field] = [message] });

    public static IResult Invalid(HttpContext context, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(errors);
        return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.SelectMany(e => e.Value)),
            title: "The request is not valid.", extensions: new Dictionary<string, object?> { [RequestIdKey] = context.TraceIdentifier });
    }

    public static IResult NotFound(HttpContext context, string detail) => Result(context, StatusCodes.Status404NotFound, "Not found.", detail);

    public static IResult Conflict(HttpContext context, string detail, IDictionary<string, object?>? extensions = null) =>
        Result(context, StatusCodes.Status409Conflict, "Conflict.", detail, extensions);

    /// <summary>
    /// Writes a problem outside a handler (authentication challenges, middleware). As JSON whatever the request accepts: an
    /// <c>EventSource</c> asks for <c>text/event-stream</c> only, and its 401 must stay a 401, not become a 500 because no
    /// problem writer matched.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Extensions = { [RequestIdKey] = context.TraceIdentifier } };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }
        // The problem result tries the problem details service first and falls back to plain JSON.
        await TypedResults.Problem(problem).ExecuteAsync(context);
    }
}
