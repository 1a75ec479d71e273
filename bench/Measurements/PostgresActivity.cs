using System.Globalization;
using Npgsql;

namespace Totallator.Bench.Measurements;

/// <summary>
/// What the benchmark database's backends were doing during the window, sampled from <c>pg_stat_activity</c> every 100 ms.
/// Fires come in bursts, so the figures are for the busy samples (at least one backend active): how many backends were active
/// then, by wait event (<c>CPU</c> when active without one). Tells a server computing from one waiting on WAL flushes, locks or
/// the client.
/// </summary>
/// <param name="Samples">Samples taken.</param>
/// <param name="BusySamples">Samples with at least one active backend.</param>
/// <param name="AvgConnections">Backends connected to the database, per sample.</param>
/// <param name="AvgActiveWhenBusy">Active backends per busy sample.</param>
/// <param name="AvgActiveWhenBusyByWait">The same, by wait event (<c>CPU</c>: none).</param>
/// <param name="TopStatements">The statements most often seen active (text as sent, so parameters show as $1…), with the average
/// number of backends running each in a busy sample.</param>
public sealed record PostgresActivityFigures(int Samples, int BusySamples, double AvgConnections, double AvgActiveWhenBusy,
    IReadOnlyDictionary<string, double> AvgActiveWhenBusyByWait, IReadOnlyList<ActiveStatement> TopStatements)
{
    /// <summary>"busy in 12 % of samples; then avg 8.2 active of 80 connections: CPU 3.1, IO:WALSync 2.0, ..." (top entries).</summary>
    public string Summary(int top = 5) => string.Create(CultureInfo.InvariantCulture,
        $"busy in {(Samples == 0 ? 0 : 100.0 * BusySamples / Samples):0} % of {Samples} samples; then avg {AvgActiveWhenBusy:0.0} active of {AvgConnections:0} connections") +
        (BusySamples == 0 ? "" : ": " + string.Join(", ", AvgActiveWhenBusyByWait.OrderByDescending(p => p.Value).Take(top)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:0.0}"))));
}

public sealed record ActiveStatement(string Statement, double AvgActiveWhenBusy);

public sealed class PostgresActivitySampler : IAsyncDisposable
{
    private static readonly TimeSpan _interval = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _stop = new();
    private const int TopStatementCount = 5;
    private readonly Dictionary<string, long> _activeCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _statementCounts = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private long _connections;
    private int _samples;
    private int _busySamples;

    private PostgresActivitySampler(NpgsqlDataSource database) => _loop = Task.Run(() => LoopAsync(database));

    public static PostgresActivitySampler Start(NpgsqlDataSource database) => new(database);

    public async Task<PostgresActivityFigures> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        var busy = Math.Max(_busySamples, 1);
        var byWait = _activeCounts.ToDictionary(p => p.Key, p => Math.Round((double)p.Value / busy, 2), StringComparer.Ordinal);
        var statements = _statementCounts.OrderByDescending(p => p.Value).Take(TopStatementCount)
            .Select(p => new ActiveStatement(p.Key, Math.Round((double)p.Value / busy, 2))).ToList();
        return new PostgresActivityFigures(_samples, _busySamples, Math.Round((double)_connections / Math.Max(_samples, 1), 1),
            Math.Round(byWait.Values.Sum(), 2), new SortedDictionary<string, double>(byWait, StringComparer.Ordinal), statements);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
            await _loop;
        }
        _stop.Dispose();
    }

    private async Task LoopAsync(NpgsqlDataSource database)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(_stop.Token);
            // The statement: whitespace collapsed, cut short; NULL for idle backends. Autovacuum workers show as such.
            await using var command = new NpgsqlCommand("""
                SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU') ELSE coalesce(state, backend_type) END,
                       CASE WHEN state = 'active' THEN left(regexp_replace(query, '\s+', ' ', 'g'), 160) END,
                       count(*)
                FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                GROUP BY 1, 2
                """, connection);
            while (!_stop.IsCancellationRequested)
            {
                var sample = new List<(string Key, string? Statement, long Count)>();
                await using (var reader = await command.ExecuteReaderAsync(_stop.Token))
                {
                    while (await reader.ReadAsync(_stop.Token))
                    {
                        sample.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
                    }
                }
                // Only whole samples count.
                var active = sample.Where(s => s.Statement is not null).ToList();
                foreach (var (key, statement, count) in active)
                {
                    _activeCounts[key] = _activeCounts.GetValueOrDefault(key) + count;
                    _statementCounts[statement!] = _statementCounts.GetValueOrDefault(statement!) + count;
                }
                _connections += sample.Sum(s => s.Count);
                _busySamples += active.Count > 0 ? 1 : 0;
                _samples++;
                await Task.Delay(_interval, _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (NpgsqlException) when (_stop.IsCancellationRequested)
        {
            // Cancelled mid-query.
        }
    }
}
