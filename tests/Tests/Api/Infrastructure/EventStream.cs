using System.Diagnostics;
using System.Net;
using System.Threading.Channels;

namespace Totallator.Tests.Api.Infrastructure;

/// <summary>
/// One open <c>GET /api/cron/events</c>, read as a browser would: events (name and data) as they arrive, and when the server
/// ends the stream. Disposing it closes the connection.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(string Name, string Data)> _events = Channel.CreateUnbounded<(string, string)>();
    private readonly Task _reader;
    private int _disposed;

    private EventStream(HttpResponseMessage response)
    {
        _response = response;
        _reader = response.IsSuccessStatusCode ? ReadAsync() : Task.CompletedTask;
        if (!response.IsSuccessStatusCode)
        {
            _events.Writer.Complete();
        }
    }

    public HttpStatusCode Status => _response.StatusCode;

    /// <summary>The refused stream's whole answer (problem details), for assertions.</summary>
    public Task<string> BodyAsync() => _response.Content.ReadAsStringAsync();

    public HttpResponseMessage Response => _response;

    /// <summary>Opens the stream with <paramref name="client"/> (its key or cookies); answers as soon as the headers arrive.</summary>
    public static async Task<EventStream> OpenAsync(HttpClient client, IReadOnlyDictionary<string, string>? headers = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cron/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new EventStream(response);
    }

    /// <summary>The next event, or null when the server ended the stream; fails after <paramref name="timeout"/>.</summary>
    public async Task<(string Name, string Data)?> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _events.Reader.WaitToReadAsync(cts.Token) && _events.Reader.TryRead(out var item) ? item : null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No event and no end of the stream within {timeout}.");
        }
    }

    /// <summary>Reads events until the server ends the stream; answers the events seen and how long it took, or fails after <paramref name="timeout"/>.</summary>
    public async Task<(List<(string Name, string Data)> Events, TimeSpan Elapsed)> EndAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var seen = new List<(string, string)>();
        while (true)
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The stream was still open after {timeout}; events: {string.Join(", ", seen.Select(e => e.Item1))}.");
            }
            (string, string)? item;
            try
            {
                item = await NextAsync(left);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"The stream was still open after {timeout}; events: {string.Join(", ", seen.Select(e => e.Item1))}.");
            }
            if (item is null)
            {
                return (seen, clock.Elapsed);
            }
            seen.Add(item.Value);
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var text = new StreamReader(body);
            string name = "message";
            var data = new List<string>();
            while (await text.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Count > 0)
                    {
                        await _events.Writer.WriteAsync((name, string.Join("\n", data)));
                    }
                    name = "message";
                    data.Clear();
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Add(line["data:".Length..].TrimStart());
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Closed by us, or the connection dropped: either way the stream is over.
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        await _stop.CancelAsync();
        _response.Dispose();
        await _reader;
        _stop.Dispose();
    }
}
