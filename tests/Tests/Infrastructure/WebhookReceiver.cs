using System.Collections.Concurrent;
using System.Net;

namespace Totallator.Tests.Infrastructure;

/// <summary>
/// A real local HTTP receiver for alert messages (HttpListener on 127.0.0.1): records every request it answers, and can be
/// down (nothing listens: connections are refused) and come back on the same port.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly ConcurrentQueue<Received> _received = new();
    private HttpListener? _listener;
    private Task? _loop;

    public sealed record Received(DateTimeOffset At, IReadOnlyDictionary<string, string> Headers, string Body);

    public WebhookReceiver(int port) => Url = $"http://127.0.0.1:{port}/hook";

    public string Url { get; }

    /// <summary>The status code answered; 204 by default.</summary>
    public int AnswerWith { get; set; } = 204;

    public IReadOnlyList<Received> Requests => [.. _received];

    public bool IsUp => _listener is not null;

    public void Up()
    {
        if (_listener is not null)
        {
            return;
        }
        var listener = new HttpListener();
        listener.Prefixes.Add(Url.Replace("/hook", "/", StringComparison.Ordinal));
        listener.Start();
        _listener = listener;
        _loop = Task.Run(() => LoopAsync(listener));
    }

    public void Down()
    {
        var listener = Interlocked.Exchange(ref _listener, null);
        if (listener is null)
        {
            return;
        }
        listener.Close();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task LoopAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream, context.Request.ContentEncoding);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
            _received.Enqueue(new Received(DateTimeOffset.UtcNow, headers, body));
            context.Response.StatusCode = AnswerWith;
            context.Response.Close();
        }
    }

    public void Dispose() => Down();
}
