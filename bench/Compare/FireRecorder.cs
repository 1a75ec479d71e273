using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace Totallator.Bench.Compare;

/// <summary>
/// The one recorder of --compare, used the same way by the job body of every scheduler (Totallator, Quartz, Hangfire): each
/// execution is (job index, scheduled instant, actual start, node pid), queued in memory and written to <c>benchFire</c> in
/// batches (binary COPY every <see cref="FlushEvery"/>), so recording costs the job no round trip of its own and every scheduler
/// pays the same for it. A node killed with SIGKILL loses what it had not flushed yet (at most <see cref="FlushEvery"/> of fires);
/// the figures say so.
/// </summary>
public sealed class FireRecorder : IAsyncDisposable
{
    public const string Table = "benchFire";
    /// <summary>Environment variable the driver sets for every node: the connection string of the run's database.</summary>
    public const string ConnectionVariable = "TOTALLATOR_BENCH_FIRES";
    public static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(50);

    public const string CreateTableSql = $"""
        CREATE TABLE IF NOT EXISTS {Table} (
            job int NOT NULL,
            scheduledFor timestamptz NOT NULL,
            startedAt timestamptz NOT NULL,
            node int NOT NULL);
        CREATE INDEX IF NOT EXISTS {Table}_occurrence ON {Table} (job, scheduledFor);
        """;

    private readonly record struct Fire(int Job, DateTimeOffset ScheduledFor, DateTimeOffset StartedAt);

    private readonly NpgsqlDataSource _dataSource;
    private readonly Channel<Fire> _fires = Channel.CreateUnbounded<Fire>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;
    private readonly int _node = Environment.ProcessId;

    public FireRecorder(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The process-wide recorder when <see cref="ConnectionVariable"/> is set (every --compare node), else null.</summary>
    public static FireRecorder? FromEnvironment() =>
        Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } connection ? new FireRecorder(connection) : null;

    /// <summary>Called first thing in the job body: the start is taken here, the same clock for all three schedulers.</summary>
    public void Record(int job, DateTimeOffset scheduledFor) => _fires.Writer.TryWrite(new Fire(job, scheduledFor, DateTimeOffset.UtcNow));

    private async Task WriteLoopAsync()
    {
        var batch = new List<Fire>();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(FlushEvery, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Last flush below.
            }
            while (_fires.Reader.TryRead(out var fire))
            {
                batch.Add(fire);
            }
            if (batch.Count == 0)
            {
                continue;
            }
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync();
                await using (var import = await connection.BeginBinaryImportAsync($"COPY {Table} (job, scheduledFor, startedAt, node) FROM STDIN (FORMAT BINARY)"))
                {
                    foreach (var fire in batch)
                    {
                        await import.StartRowAsync();
                        await import.WriteAsync(fire.Job, NpgsqlDbType.Integer);
                        await import.WriteAsync(fire.ScheduledFor.UtcDateTime, NpgsqlDbType.TimestampTz);
                        await import.WriteAsync(fire.StartedAt.UtcDateTime, NpgsqlDbType.TimestampTz);
                        await import.WriteAsync(_node, NpgsqlDbType.Integer);
                    }
                    await import.CompleteAsync();
                }
                batch.Clear();
            }
            catch (NpgsqlException ex)
            {
                // Kept for the next flush: a fire that is never written would read as never fired.
                await Console.Error.WriteLineAsync($"fire recorder: {batch.Count} fire(s) not written yet: {ex.Message}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _writer;
        _stop.Dispose();
        await _dataSource.DisposeAsync();
    }
}
