using System.Diagnostics;
using System.Globalization;

namespace Totallator.Bench;

/// <summary>
/// Progress on stderr, each line stamped with the time since the driver started, and phases with their duration, so a slow
/// phase shows where it is slow. stdout is kept for the figures.
/// </summary>
public static class Progress
{
    private static readonly Stopwatch _clock = Stopwatch.StartNew();

    public static void Log(string scope, string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_clock.Elapsed.TotalSeconds,7:0.0}s] {scope,-9} {message}"));

    /// <summary>Logs the phase's start; its end with the duration once <see cref="PhaseScope.Done"/> is called, or "aborted" if it is disposed first.</summary>
    public static PhaseScope Phase(string scope, string name)
    {
        Log(scope, name + " ...");
        return new PhaseScope(scope, name);
    }

    public sealed class PhaseScope(string scope, string name) : IDisposable
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private bool _ended;

        public TimeSpan Elapsed => _watch.Elapsed;

        /// <summary>Ends the phase, with a short result to print.</summary>
        public void Done(string? note = null)
        {
            _ended = true;
            Log(scope, string.Create(CultureInfo.InvariantCulture, $"{name} done in {_watch.Elapsed.TotalSeconds:0.0} s{(note is null ? "" : ": " + note)}"));
        }

        public void Dispose()
        {
            if (!_ended)
            {
                _ended = true;
                Log(scope, string.Create(CultureInfo.InvariantCulture, $"{name} aborted after {_watch.Elapsed.TotalSeconds:0.0} s"));
            }
        }
    }
}
