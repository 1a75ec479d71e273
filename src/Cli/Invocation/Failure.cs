using System.Net.Sockets;
using System.Text.Json;
using Totallator.Client;

namespace Totallator.Cli;

/// <summary>Why a command failed, in words and as an exit code; written to stderr (as JSON with <c>--json</c>).</summary>
internal sealed record Failure(int ExitCode, string Message, TotallatorApiException? Refusal = null)
{
    /// <summary>The failure an exception stands for; null for a bug, which is left to crash with its stack trace.</summary>
    public static Failure? Describe(Exception exception, Uri? url, CancellationToken cancellationToken) => exception switch
    {
        UsageException e => new(ExitCodes.Usage, e.Message),
        TotallatorValidationException e => new(ExitCodes.Usage, Problem(e), e),
        TotallatorNotFoundException e => new(ExitCodes.NotFound, Problem(e), e),
        TotallatorUnauthorizedException e => new(ExitCodes.Auth, Problem(e) + " Check the key (TOTALLATOR_API_KEY, --api-key or the profile).", e),
        TotallatorForbiddenException e => new(ExitCodes.Auth, Problem(e), e),
        TotallatorConflictException e => new(ExitCodes.Conflict, Problem(e), e),
        TotallatorPreconditionFailedException e => new(ExitCodes.Conflict, Problem(e), e),
        TotallatorRateLimitedException e => new(ExitCodes.RateLimited, Problem(e) + (e.RetryAfter is { } wait ? $" Try again in {wait.TotalSeconds:0} s." : ""), e),
        TotallatorApiException e => new(ExitCodes.Unavailable, Problem(e), e),
        OperationCanceledException when cancellationToken.IsCancellationRequested => new(ExitCodes.Cancelled, "Interrupted."),
        TimeoutException e => new(ExitCodes.Unavailable, e.Message),
        HttpRequestException e => new(ExitCodes.Unavailable, $"Cannot reach the Totallator API at {url}: {Reason(e)}"),
        JsonException => new(ExitCodes.Unavailable, $"The answer from {url} is not the Totallator admin API's (is the address right?)."),
        _ => null,
    };

    public void WriteTo(Terminal terminal, bool json)
    {
        if (!json)
        {
            terminal.Error("totallator: " + Message);
            return;
        }
        terminal.Error(JsonSerializer.Serialize(new
        {
            exitCode = ExitCode, message = Message, status = (int?)Refusal?.StatusCode, title = Refusal?.Title, detail = Refusal?.Detail,
            errors = Refusal?.Errors, requestId = Refusal?.RequestId,
        }, TotallatorJson.Options));
    }

    /// <summary>The problem's message (title, detail, status, request id), and each field's errors when the detail does not already say them.</summary>
    private static string Problem(TotallatorApiException e)
    {
        var fields = e.Errors.SelectMany(f => f.Value.Where(m => e.Detail?.Contains(m, StringComparison.Ordinal) != true).Select(m => $"{f.Key}: {m}")).ToList();
        return fields.Count == 0 ? e.Message : e.Message + Environment.NewLine + string.Join(Environment.NewLine, fields.Select(f => "  " + f));
    }

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        SocketException socket => socket.Message,
        { InnerException: SocketException socket } => socket.Message,
        _ => e.Message,
    };
}
