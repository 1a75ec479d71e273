using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Totallator.Bench;

/// <summary>The silo processes of one configuration: started together on free loopback ports, one cluster id, one database.</summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private static readonly TimeSpan _readyTimeout = TimeSpan.FromMinutes(3);
    private readonly List<SiloProcess> _silos;

    private SiloCluster(string clusterId, List<SiloProcess> silos)
    {
        ClusterId = clusterId;
        _silos = silos;
    }

    public string ClusterId { get; }
    public IReadOnlyList<SiloProcess> Silos => _silos;
    /// <summary>When the first silo process was started: registration time is counted from here.</summary>
    public DateTimeOffset StartedAt => _silos.Min(s => s.StartedAt);

    /// <summary>Starts <c>count</c> silos with N jobs each; <c>extraEnvironment</c> adds variables for every silo (--compare: where the job body records its fires; sleep100000: the sleep thresholds).</summary>
    public static SiloCluster Start(int count, int jobs, string schedule, int spread, TimeSpan heartbeat, string connectionString, string logDirectory,
        IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        var clusterId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            ["Cron__Scheduler__HeartbeatPeriod"] = heartbeat.ToString("c", CultureInfo.InvariantCulture),
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in extraEnvironment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var silos = new List<SiloProcess>();
        var cluster = new SiloCluster(clusterId, silos);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var args = new SiloArguments(jobs, schedule, spread, FreePort(), FreePort(), clusterId, Environment.ProcessId);
                silos.Add(SiloProcess.Start(args, environment, logDirectory));
            }
            return cluster;
        }
        catch
        {
            foreach (var silo in silos)
            {
                silo.Kill();
            }
            throw;
        }
    }

    public async Task WaitReadyAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_silos.Select(s => s.WaitReadyAsync(_readyTimeout, cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        foreach (var silo in _silos)
        {
            silo.Kill();
        }
        foreach (var silo in _silos)
        {
            if (silo.StderrLines > 0)
            {
                Progress.Log(silo.Label, string.Create(CultureInfo.InvariantCulture, $"wrote {silo.StderrLines} line(s) of warnings/errors: {silo.LogPath}"));
            }
            await silo.DisposeAsync();
        }
    }

    /// <summary>A port the OS says is free now. Another process could take it before the silo binds; then the silo fails to start and says so.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
