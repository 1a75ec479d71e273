using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;
using Totallator.Grains.Interfaces.Admin;

namespace Totallator.Grains.Admin;

/// <summary>
/// Turns a store failure that reaches an admin-facing grain method into <see cref="StoreUnavailableException"/> with a plain
/// message. The original goes to the silo's log only: its text can carry a host name or parts of the connection string, and
/// Npgsql's exception types are not something the AdminApi (which references Grains.Interfaces only) can deserialize.
/// </summary>
internal static partial class StoreGuard
{
    /// <summary>Runs <paramref name="action"/>; a store failure becomes <see cref="StoreUnavailableException"/>.</summary>
    /// <param name="logger">Where the original failure is logged.</param>
    /// <param name="operation">What was being done, for the message and the log (e.g. <c>listing jobs</c>).</param>
    /// <param name="action">The store work.</param>
    public static async Task<T> RunAsync<T>(ILogger logger, string operation, Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action();
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            LogStoreUnavailable(logger, ex, operation);
            throw new StoreUnavailableException($"The database did not answer while {operation}. Try again in a moment.");
        }
    }

    /// <inheritdoc cref="RunAsync{T}(ILogger, string, Func{Task{T}})"/>
    public static Task RunAsync(ILogger logger, string operation, Func<Task> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunAsync(logger, operation, async () =>
        {
            await action();
            return true;
        });
    }

    /// <summary>Npgsql errors (server errors included), socket failures and timeouts, however deep in the chain of inner exceptions.</summary>
    internal static bool IsStoreFailure(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is NpgsqlException or SocketException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// A write that may have committed with its answer lost: a store failure (<see cref="IsStoreFailure"/>), or the store's own
    /// refusal (<see cref="StoreUnavailableException"/>: the in-memory store's simulated faults, a silo declared dead). The caller
    /// keeps the write to ask again with the same id.
    /// </summary>
    internal static bool IsUnanswered(Exception ex) => ex is StoreUnavailableException || IsStoreFailure(ex);
}
