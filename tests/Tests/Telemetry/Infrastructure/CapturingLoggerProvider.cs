using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Totallator.Tests.Telemetry.Infrastructure;

/// <summary>A log line as a structured sink sees it: category, event, message and the key/value pairs of every scope around it.</summary>
public sealed record CapturedLine(string Category, EventId EventId, string Message, IReadOnlyList<IReadOnlyDictionary<string, object?>> Scopes)
{
    /// <summary>The value of <paramref name="key"/> in the innermost scope that has it.</summary>
    public object? Scope(string key) => Scopes.Reverse().FirstOrDefault(s => s.ContainsKey(key)) is { } scope ? scope[key] : null;
}

/// <summary>
/// Captures every line of the test silos, with scopes read from the logger factory's shared scope provider (as the console and
/// OpenTelemetry providers do). Static sink: silos are built by the test cluster, not by the test.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private static readonly ConcurrentQueue<CapturedLine> Captured = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public static IReadOnlyList<CapturedLine> Lines => Captured.ToList();

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, CapturingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<IReadOnlyDictionary<string, object?>>();
            provider._scopes.ForEachScope((scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    list.Add(pairs.ToDictionary(p => p.Key, p => p.Value));
                }
            }, scopes);
            Captured.Enqueue(new CapturedLine(category, eventId, formatter(state, exception), scopes));
        }
    }
}
