namespace Totallator.Grains.Execution;

/// <summary>Why a running occurrence was cancelled from outside the job.</summary>
public enum CancelReason
{
    None,
    /// <summary>An admin asked (the attempt ends failed, and is not retried).</summary>
    Admin,
    /// <summary>The silo is shutting down and the grace period ran out (the attempt ends abandoned).</summary>
    Shutdown,
}

/// <summary>One occurrence being run, across its attempts: the handle that lease renewal and graceful shutdown work with.</summary>
public sealed class ActiveRun(string jobSlug, Guid firstExecutionId, DateTimeOffset scheduledFor) : IDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _reason;
    // UTC ticks of a start not yet written to the row (a run claimed ahead); 0 when there is none.
    private long _unrecordedStartTicks;
    private bool _finished;

    public string JobSlug { get; } = jobSlug;

    /// <summary>The occurrence's instant, which every attempt's row keeps (it names the rows' history partition).</summary>
    public DateTimeOffset ScheduledFor { get; } = scheduledFor;

    /// <summary>The execution row of the current attempt; the lease renewer extends its lease.</summary>
    public Guid CurrentExecutionId { get; set; } = firstExecutionId;

    /// <summary>Who cancelled, by what name (for an admin cancel).</summary>
    public string? CancelledBy { get; private set; }

    public CancellationToken Token => _cts.Token;

    public CancelReason Reason => (CancelReason)Volatile.Read(ref _reason);

    /// <summary>Completes when the occurrence's last attempt is recorded.</summary>
    public Task Completion => _done.Task;

    /// <summary>Cancels once; the first reason wins.</summary>
    public void Cancel(CancelReason reason, string? by = null)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)CancelReason.None) == (int)CancelReason.None)
        {
            CancelledBy = by;
            try
            {
                _cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run ended between a snapshot of running runs (shutdown) and this cancel: nothing left to cancel.
            }
        }
    }

    /// <summary>The run started from a claim ahead; its row still says claimed until the lease maintenance records the start.</summary>
    public void SetUnrecordedStart(DateTimeOffset startedAt) => Interlocked.Exchange(ref _unrecordedStartTicks, startedAt.UtcTicks);

    /// <summary>The attempt's end carries its start: nothing is left to record.</summary>
    public void ClearUnrecordedStart() => Interlocked.Exchange(ref _unrecordedStartTicks, 0);

    /// <summary>The start still to record, if any.</summary>
    public DateTimeOffset? UnrecordedStart
    {
        get
        {
            var ticks = Interlocked.Read(ref _unrecordedStartTicks);
            return ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>The start <paramref name="recorded"/> was written (a later one, e.g. of another attempt, stays to record).</summary>
    public void StartRecorded(DateTimeOffset recorded) => Interlocked.CompareExchange(ref _unrecordedStartTicks, 0, recorded.UtcTicks);

    /// <summary>
    /// The job's last attempt has ended and only its end is still being written (through a store outage, that takes as long as
    /// the outage). The lease stays renewed, but the job no longer runs: it does not make the next occurrence an overlap.
    /// </summary>
    public bool Finished => Volatile.Read(ref _finished);

    /// <summary>The last attempt's code has returned; its end is being written.</summary>
    public void MarkFinished() => Volatile.Write(ref _finished, true);

    public void MarkDone() => _done.TrySetResult();

    public void Dispose() => _cts.Dispose();
}
