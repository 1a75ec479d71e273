using System.Globalization;

namespace Totallator.Bench.Compare;

/// <summary>
/// The node processes of one row: Totallator silos (<see cref="SiloCluster"/>, the existing bench's), or Quartz/Hangfire nodes
/// started as child roles of this executable. All are <see cref="SiloProcess"/>es, so the same meter and kill apply.
/// </summary>
public sealed class CompareNodes : IAsyncDisposable
{
    private static readonly TimeSpan _readyTimeout = TimeSpan.FromMinutes(3);
    private readonly SiloCluster? _cluster;
    private readonly List<SiloProcess> _nodes;

    private CompareNodes(SiloCluster? cluster, List<SiloProcess> nodes)
    {
        _cluster = cluster;
        _nodes = nodes;
    }

    public IReadOnlyList<SiloProcess> Nodes => _nodes;
    public DateTimeOffset StartedAt => _nodes.Min(n => n.StartedAt);

    public static CompareNodes Start(Contender contender, CompareWorkload workload, string connectionString, string logDirectory)
    {
        ArgumentNullException.ThrowIfNull(contender);
        ArgumentNullException.ThrowIfNull(workload);
        var recorder = new Dictionary<string, string>(StringComparer.Ordinal) { [FireRecorder.ConnectionVariable] = connectionString };
        if (contender.Kind == SchedulerKind.Totallator)
        {
            var heartbeat = new Grains.Hosting.SchedulerOptions().HeartbeatPeriod;
            var cluster = SiloCluster.Start(workload.Nodes, workload.Jobs, workload.Schedule, workload.Spread, heartbeat, connectionString, logDirectory, recorder);
            return new CompareNodes(cluster, [.. cluster.Silos]);
        }
        var verb = contender.Kind == SchedulerKind.Quartz ? NodeArguments.QuartzVerb : NodeArguments.HangfireVerb;
        var environment = new Dictionary<string, string>(recorder, StringComparer.Ordinal)
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        var nodes = new List<SiloProcess>();
        try
        {
            for (var i = 0; i < workload.Nodes; i++)
            {
                // Node 0 registers the jobs; the others only run them (the schedule lives in the database).
                var args = new NodeArguments(verb, workload.Jobs, workload.Schedule, workload.Spread, Register: i == 0, contender.Profile, Environment.ProcessId);
                var label = string.Create(CultureInfo.InvariantCulture, $"{contender.Name}:{i}");
                nodes.Add(SiloProcess.StartRole(args.ToArgs(), label, i, environment,
                    Path.Combine(logDirectory, string.Create(CultureInfo.InvariantCulture, $"{contender.Name}-node-{i}.log"))));
            }
            return new CompareNodes(null, nodes);
        }
        catch
        {
            foreach (var node in nodes)
            {
                node.Kill();
            }
            throw;
        }
    }

    public async Task WaitReadyAsync(CancellationToken cancellationToken) =>
        await Task.WhenAll(_nodes.Select(n => n.WaitReadyAsync(_readyTimeout, cancellationToken)));

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            return;
        }
        foreach (var node in _nodes)
        {
            node.Kill();
        }
        foreach (var node in _nodes)
        {
            if (node.StderrLines > 0)
            {
                Progress.Log(node.Label, string.Create(CultureInfo.InvariantCulture, $"wrote {node.StderrLines} line(s) of warnings/errors: {node.LogPath}"));
            }
            await node.DisposeAsync();
        }
    }
}
