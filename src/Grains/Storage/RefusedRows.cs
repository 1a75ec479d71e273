using System.Text;
using Npgsql;

namespace Totallator.Grains.Storage;

/// <summary>
/// Rows the database refuses for what they hold. A statement fails as a whole, so one such row among the hundreds of a batched
/// statement would fail them all, every time it is retried. Tells that failure from a store that is down, and ends such a row
/// anyway, without what was refused.
/// </summary>
public static class RefusedRows
{
    /// <summary>How the status reason of a row ended without its refused fields begins.</summary>
    public const string ReasonPrefix = "data-refused: ";

    private const int MaxDetailLength = 300;

    /// <summary>
    /// True when the statement failed for what a row holds, and would fail again with the same rows; false for a store that is
    /// unavailable, where writing rows one by one would only multiply the failures.
    /// </summary>
    public static bool IsRowData(Exception exception) => exception switch
    {
        StoreDataRefusedException => true,
        // Class 22, data exception (22021: a NUL in text; 22P05: \u0000 in jsonb); class 54, a value over a limit.
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("54", StringComparison.Ordinal),
        // Npgsql encodes text strictly: half a surrogate pair fails the command before anything is sent.
        EncoderFallbackException => true,
        _ => false,
    };

    /// <summary>What was refused, short and itself storable, for a status reason.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var detail = exception switch
        {
            PostgresException pg => $"{pg.SqlState}: {pg.MessageText}",
            EncoderFallbackException => "text holds half a surrogate pair, which UTF-8 cannot encode",
            _ => exception.Message,
        };
        return TextSanitizer.Bound(TextSanitizer.Replace(detail), MaxDetailLength)!;
    }

    /// <summary>
    /// The completion without the fields a database may refuse (output, error, stack trace, metrics), its status, times and
    /// figures kept, and a status reason that says what happened.
    /// </summary>
    public static ExecutionCompletion WithoutRefusedFields(ExecutionCompletion completion, Exception refusal)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var given = completion.StatusReason is { } reason ? $" (its own reason: {TextSanitizer.Replace(reason)})" : "";
        return completion with
        {
            Output = null, ErrorMessage = null, StackTrace = null, Metrics = null,
            StatusReason = $"{ReasonPrefix}the database refused this row ({Describe(refusal)}); its output, error message, stack trace and metrics were dropped{given}",
        };
    }

    /// <summary>
    /// Ends every row of <paramref name="completions"/> that is still active, with <paramref name="write"/> (one statement per
    /// call). When the statement is refused for a row's data, nothing of it was applied: the halves are written apart, down to
    /// the refused row alone, which then ends <see cref="WithoutRefusedFields"/>. A row that did end is never written again (a
    /// write only ends active rows). Other failures (the store is down) go to the caller, as before.
    /// </summary>
    public static async Task<IReadOnlySet<Guid>> CompleteAsync(IReadOnlyList<ExecutionCompletion> completions,
        Func<IReadOnlyList<ExecutionCompletion>, CancellationToken, Task<IReadOnlySet<Guid>>> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);
        ArgumentNullException.ThrowIfNull(write);
        try
        {
            return await write(completions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRowData(ex) && completions.Count == 1)
        {
            // Alone and still refused: ended without what was refused, rather than left running until it is judged abandoned.
            return await write([WithoutRefusedFields(completions[0], ex)], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsRowData(ex))
        {
            // Halves: a few statements find one bad row among hundreds, and each healthy row is written once.
        }
        var half = completions.Count / 2;
        var first = await CompleteAsync(completions.Take(half).ToList(), write, cancellationToken).ConfigureAwait(false);
        var second = await CompleteAsync(completions.Skip(half).ToList(), write, cancellationToken).ConfigureAwait(false);
        return first.Concat(second).ToHashSet();
    }
}
