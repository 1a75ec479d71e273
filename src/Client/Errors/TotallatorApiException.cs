using System.Net;
using System.Text.Json;

namespace Totallator.Client;

/// <summary>
/// The admin API refused or failed a request: its problem answer (RFC 9457) as a typed exception. The message is the problem's
/// title and detail; <see cref="RequestId"/> is the id the API logged the request and any audit row under, to quote when asking
/// an operator. Catch a subclass for one kind of refusal, or this type for all of them.
/// </summary>
public class TotallatorApiException : Exception
{
    /// <summary>A problem answer as the client read it.</summary>
    public TotallatorApiException(ProblemInfo problem)
        : base(MessageOf(problem ?? throw new ArgumentNullException(nameof(problem))))
    {
        Problem = problem;
    }

    /// <summary>The problem, as read.</summary>
    public ProblemInfo Problem { get; }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode => Problem.Status;

    /// <summary>The problem's title, e.g. <c>Not found.</c>.</summary>
    public string Title => Problem.Title;

    /// <summary>What went wrong, in the API's words.</summary>
    public string? Detail => Problem.Detail;

    /// <summary>Messages per field (camelCase, as in the JSON); empty when none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors => Problem.Errors;

    /// <summary>The request's id (the problem's <c>requestId</c>, else the <c>X-Request-Id</c> header); null when the answer had none.</summary>
    public string? RequestId => Problem.RequestId;

    private static string MessageOf(ProblemInfo problem)
    {
        var text = problem.Detail is { Length: > 0 } detail ? $"{problem.Title} {detail}" : problem.Title;
        var id = problem.RequestId is { Length: > 0 } requestId ? $", request id {requestId}" : "";
        return $"{text} ({problem.Method} {problem.Path}: HTTP {(int)problem.Status}{id})";
    }
}

/// <summary>A problem answer as the client read it; extensions the client does not know are kept in <see cref="Body"/>.</summary>
public sealed record ProblemInfo
{
    /// <summary>The HTTP status.</summary>
    public required HttpStatusCode Status { get; init; }
    /// <summary>The title, or the status's reason phrase when the answer was not a problem.</summary>
    public required string Title { get; init; }
    /// <summary>The detail, or the start of a body that was not a problem.</summary>
    public string? Detail { get; init; }
    /// <summary>Messages per field.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
    /// <summary>The request's id.</summary>
    public string? RequestId { get; init; }
    /// <summary>The request's method.</summary>
    public string Method { get; init; } = "";
    /// <summary>The request's path and query (no key is ever in them).</summary>
    public string Path { get; init; } = "";
    /// <summary>How long to wait before trying again, from <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter { get; init; }
    /// <summary>The problem's JSON, when the answer was one.</summary>
    public JsonElement? Body { get; init; }
}

/// <summary>400: the request is not valid; <see cref="TotallatorApiException.Errors"/> names the fields at fault. Nothing was changed.</summary>
public sealed class TotallatorValidationException(ProblemInfo problem) : TotallatorApiException(problem);

/// <summary>401: no key, or a key that is unknown or revoked.</summary>
public sealed class TotallatorUnauthorizedException(ProblemInfo problem) : TotallatorApiException(problem);

/// <summary>403: the key's role may not do this (viewers read; operators also trigger, enable, disable, cancel; admins edit).</summary>
public sealed class TotallatorForbiddenException(ProblemInfo problem) : TotallatorApiException(problem);

/// <summary>404: no such job, execution, one-off run, key or rule.</summary>
public sealed class TotallatorNotFoundException(ProblemInfo problem) : TotallatorApiException(problem);

/// <summary>
/// 409: the request clashes with the current state: a trigger while a run is in progress (see
/// <see cref="RunningExecutionId"/>; trigger with <see cref="TriggerOptions.Override"/> to run anyway), a cancel of an ended run,
/// a name already taken.
/// </summary>
public sealed class TotallatorConflictException(ProblemInfo problem) : TotallatorApiException(problem)
{
    /// <summary>For a refused trigger: the execution that is running.</summary>
    public Guid? RunningExecutionId =>
        Problem.Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty("runningExecutionId", out var id) && id.TryGetGuid(out var guid)
            ? guid : null;
}

/// <summary>
/// 412: the job (or alert rule) changed since the version the edit was based on. Nothing was changed: read it again, decide
/// again, send again.
/// </summary>
public sealed class TotallatorPreconditionFailedException(ProblemInfo problem) : TotallatorApiException(problem);

/// <summary>429: too many triggers of the job (or by the caller), or too many event streams. <see cref="RetryAfter"/> says when to try again.</summary>
public sealed class TotallatorRateLimitedException(ProblemInfo problem) : TotallatorApiException(problem)
{
    /// <summary>How long to wait, from <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter => Problem.RetryAfter;
}

/// <summary>503: the scheduler cluster or its database did not answer the API. Nothing was changed; try again in a few seconds.</summary>
public sealed class TotallatorUnavailableException(ProblemInfo problem) : TotallatorApiException(problem)
{
    /// <summary>How long to wait, from <c>Retry-After</c>.</summary>
    public TimeSpan? RetryAfter => Problem.RetryAfter;
}

/// <summary>A wait for a run gave up before the run ended (<see cref="WaitOptions.Timeout"/>). The run goes on.</summary>
public sealed class TotallatorWaitTimeoutException : TimeoutException
{
    /// <summary>The run, as last read.</summary>
    public TotallatorWaitTimeoutException(ExecutionDetails lastSeen, TimeSpan waited)
        : base($"Execution {lastSeen?.Summary.Id} of job '{lastSeen?.Summary.JobSlug}' was still {lastSeen?.Summary.Status} after {waited}; it goes on.")
    {
        ArgumentNullException.ThrowIfNull(lastSeen);
        LastSeen = lastSeen;
    }

    /// <summary>The execution as last read (its id is the one to follow up).</summary>
    public ExecutionDetails LastSeen { get; }
}
