using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.AdminApi.Infrastructure;

/// <summary>
/// Turns every exception that reaches the edge into a problem answer: known refusals to 4xx, an unreachable cluster or database
/// to 503, anything else to a 500 that says only that it was logged. No stack trace, type name or connection string reaches a client.
/// </summary>
public sealed partial class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        var problem = Map(exception);
        if (problem.Status >= 500)
        {
            var path = httpContext.Request.Path.ToString();
            if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            {
                var kind = exception.GetType().Name;
                LogUnavailable(logger, path, kind);
                httpContext.Response.Headers.RetryAfter = "5";
            }
            else
            {
                LogUnexpected(logger, exception, path);
            }
        }
        else
        {
            var status = problem.Status ?? 400;
            LogRefused(logger, status, exception.Message);
        }
        problem.Extensions[Problems.RequestIdKey] = httpContext.TraceIdentifier;
        httpContext.Response.StatusCode = problem.Status ?? 500;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = null });
    }

    private static ProblemDetails Map(Exception exception) => exception switch
    {
        CronJobNotFoundException e => New(StatusCodes.Status404NotFound, "Not found.", e.Message),
        InvalidJobConfigurationException { Errors: { Count: > 0 } errors } e => Validation(errors, e.Message),
        InvalidJobConfigurationException e => Validation(e.Field ?? "body", e.Message),
        JobConflictException e => Conflict(e),
        InvalidAdminInputException e => Validation(e.Field ?? "body", e.Message),
        JobVersionConflictException e => New(StatusCodes.Status412PreconditionFailed, "The job was changed by someone else.", e.Message),
        Grains.Interfaces.Alerts.AlertRuleNotFoundException e => New(StatusCodes.Status404NotFound, "Not found.", e.Message),
        Grains.Interfaces.Alerts.AlertRuleConflictException e => New(StatusCodes.Status412PreconditionFailed, "The rule was changed by someone else.", e.Message),
        BadHttpRequestException e => BadRequest(e),
        StoreUnavailableException or Npgsql.NpgsqlException => Unavailable("The database does not answer."),
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
            or OperationCanceledException => Unavailable("The scheduler cluster does not answer."),
        _ => New(StatusCodes.Status500InternalServerError, "Unexpected error.", "The error was logged with this request's id."),
    };

    private static ProblemDetails New(int status, string title, string detail) => new() { Status = status, Title = title, Detail = detail };

    private static ProblemDetails Unavailable(string what) =>
        New(StatusCodes.Status503ServiceUnavailable, "Service unavailable.", $"{what} Nothing was changed; try again in a few seconds.");

    private static HttpValidationProblemDetails Validation(string field, string message) => Validation(new Dictionary<string, string[]> { [field] = [message] }, message);

    private static HttpValidationProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors, string message) =>
        new(errors.ToDictionary(e => e.Key, e => e.Value))
        {
            Status = StatusCodes.Status400BadRequest, Title = "The request is not valid.", Detail = message,
        };

    // A clash with what is stored: 409, naming the field when one is at fault (a taken slug or name).
    private static ProblemDetails Conflict(JobConflictException e)
    {
        var problem = New(StatusCodes.Status409Conflict, "Conflict.", e.Message);
        if (e.Field is { } field)
        {
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [e.Message] };
        }
        return problem;
    }

    // Body binding failures: say what is wrong with the JSON in the client's terms (field names and positions), not .NET's.
    private static ProblemDetails BadRequest(BadHttpRequestException e)
    {
        if (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return New(e.StatusCode, "Request body too large.", "The request body is larger than this API accepts.");
        }
        if (e.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return New(e.StatusCode, "Unsupported media type.", "Send the body as JSON (Content-Type: application/json).");
        }
        if (e.InnerException is JsonException json)
        {
            var field = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "body" : json.Path.TrimStart('$', '.');
            var unknown = UnmappedProperty().Match(json.Message);
            return unknown.Success
                ? Validation(unknown.Groups[1].Value, $"Unknown field '{unknown.Groups[1].Value}'." + (unknown.Groups[1].Value is "command" or "arguments" or "workingDirectory" or "environment"
                    ? " Command jobs are defined only in configuration: no command line is created or changed through the API." : ""))
                : Validation(field, json.Path is null or "$"
                    ? "The body is not valid JSON."
                    : $"The value of '{field}' is malformed or of the wrong type{Position(json)}.");
        }
        return e.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("Required parameter", StringComparison.Ordinal)
            ? Validation("body", "A JSON body is required.")
            : Validation("request", "The request is malformed: " + e.Message.Split('"')[0].Trim());
    }

    private static string Position(JsonException json) => json.LineNumber is { } line ? $" (line {line + 1}, position {json.BytePositionInLine})" : "";

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Refused a request with {Status}: {Reason}")]
    private static partial void LogRefused(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "{Path} answered 503: the cluster or the database did not answer ({Kind})")]
    private static partial void LogUnavailable(ILogger logger, string path, string kind);

    [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Unexpected error on {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string path);
}
