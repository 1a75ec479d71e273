using System.Threading.Channels;

namespace Totallator.Grains.Storage;

/// <summary>
/// Groups the hot writes of many job grains (claims, completions, the silo each is active on) into one statement each.
/// Natural batching: a writer loop takes everything queued while the previous statement ran, so a lone fire pays one round
/// trip and nothing more, and under load thousands of fires per second share a few statements instead of one round trip each.
/// </summary>
/// <typeparam name="TItem">What is written.</typeparam>
internal sealed class ExecutionWriteBatcher<TItem> : IAsyncDisposable
{
    private readonly Channel<(TItem Item, Guid Id, TaskCompletionSource<bool> Done)> _queue =
        Channel.CreateUnbounded<(TItem, Guid, TaskCompletionSource<bool>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlySet<Guid>>> _write;
    private readonly int _maxBatch;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="write">Writes a batch; returns the ids it applied.</param>
    /// <param name="maxBatch">Most items in one statement.</param>
    public ExecutionWriteBatcher(Func<IReadOnlyList<TItem>, CancellationToken, Task<IReadOnlySet<Guid>>> write, int maxBatch)
    {
        _write = write;
        _maxBatch = maxBatch;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Queues one item; completes with whether it was applied, or with the batch's exception.</summary>
    public Task<bool> WriteAsync(TItem item, Guid id)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_queue.Writer.TryWrite((item, id, done)))
        {
            done.SetException(new ObjectDisposedException(nameof(ExecutionWriteBatcher<TItem>)));
        }
        return done.Task;
    }

    private async Task LoopAsync()
    {
        var batch = new List<(TItem Item, Guid Id, TaskCompletionSource<bool> Done)>(_maxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batch.Count < _maxBatch && reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }
            await WriteAsync(batch).ConfigureAwait(false);
            batch.Clear();
        }
    }

    /// <summary>
    /// One statement for the entries. When the database refuses it for what a row holds (<see cref="RefusedRows.IsRowData"/>),
    /// nothing was applied and the same statement would fail on every retry: the halves are written apart, down to the refused
    /// row alone, so it fails only its own writer. Any other failure (the store is down) goes to every writer of the batch, who
    /// retries as after its own statement.
    /// </summary>
    private async Task WriteAsync(List<(TItem Item, Guid Id, TaskCompletionSource<bool> Done)> entries)
    {
        try
        {
            var applied = await _write(entries.Select(b => b.Item).ToList(), _stop.Token).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                entry.Done.TrySetResult(applied.Contains(entry.Id));
            }
            return;
        }
        catch (Exception ex) when (entries.Count > 1 && RefusedRows.IsRowData(ex))
        {
            // Split below.
        }
        catch (Exception ex)
        {
            foreach (var entry in entries)
            {
                entry.Done.TrySetException(ex);
            }
            return;
        }
        var half = entries.Count / 2;
        await WriteAsync(entries.Take(half).ToList()).ConfigureAwait(false);
        await WriteAsync(entries.Skip(half).ToList()).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
