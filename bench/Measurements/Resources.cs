using System.Diagnostics;

namespace Totallator.Bench.Measurements;

/// <summary>CPU (% of one core) over the window, and RSS at its start and end, of one silo process.</summary>
public sealed record SiloResources(string Silo, int Pid, double? CpuPercent, double? RssStartMb, double? RssEndMb);

/// <summary>All <c>postgres</c> processes summed. RSS counts shared buffers once per process that touched them; RssAnon is private memory.</summary>
public sealed record PostgresResources(int Processes, double CpuPercent, double RssSumMb, double RssAnonSumMb);

/// <summary>CPU while nothing is due (slow schedules only). Not idle if registration was still going on (it had timed out).</summary>
/// <summary>CPU while nothing is due, and memory per job at the sample's start (for sleeping jobs: what a job asleep costs).</summary>
public sealed record IdleFigures(double Seconds, double SilosCpuPercent, double PostgresCpuPercent, bool WhileRegistering, double? MemoryPerJobKb = null);

public sealed record ResourceFigures
{
    public required IReadOnlyList<SiloResources> Silos { get; init; }
    public double SilosCpuPercent => Math.Round(Silos.Sum(s => s.CpuPercent ?? 0), 1);
    public PostgresResources? Postgres { get; init; }
    public double? BaselineRssMb { get; init; }
    public double? MemoryPerJobKb { get; init; }
    public required string MemoryPerJobBasis { get; init; }
    public IdleFigures? Idle { get; init; }
}

/// <summary>
/// Reads the silos and PostgreSQL from <c>/proc</c> at the start of a span and again at its end. PostgreSQL backends come and go
/// with the silos' connection pools, and a process that exits takes its CPU time with it, so PostgreSQL is also read every
/// 500 ms and each process counts up to its last reading.
/// </summary>
public sealed class ResourceMeter : IDisposable
{
    private static readonly TimeSpan _postgresPoll = TimeSpan.FromMilliseconds(500);
    private readonly Dictionary<SiloProcess, (ProcessSample? Sample, long At)> _start = [];
    private readonly Dictionary<SiloProcess, (ProcessSample? Sample, long At)> _end = [];
    private readonly IReadOnlyDictionary<int, ProcessSample> _postgresStart;
    private readonly Dictionary<int, ProcessSample> _postgresLast = [];
    private readonly Lock _lock = new();
    private readonly Timer _poll;
    private readonly long _startedAt;
    private bool _stopped;

    private ResourceMeter(IEnumerable<SiloProcess> silos)
    {
        _startedAt = Stopwatch.GetTimestamp();
        foreach (var silo in silos)
        {
            _start[silo] = (ProcessStats.Read(silo.Pid), _startedAt);
        }
        _postgresStart = ProcessStats.SamplePostgres();
        _poll = new Timer(_ => PollPostgres(), null, _postgresPoll, _postgresPoll);
    }

    public static ResourceMeter Start(IEnumerable<SiloProcess> silos) => new(silos);

    public void Dispose() => _poll.Dispose();

    private IReadOnlyDictionary<int, ProcessSample> PollPostgres()
    {
        var now = ProcessStats.SamplePostgres();
        lock (_lock)
        {
            if (!_stopped)
            {
                foreach (var (pid, sample) in now)
                {
                    _postgresLast[pid] = sample;
                }
            }
        }
        return now;
    }

    /// <summary>Takes a silo's end reading now, e.g. just before it is killed.</summary>
    public void CaptureEnd(SiloProcess silo) => _end[silo] = (ProcessStats.Read(silo.Pid), Stopwatch.GetTimestamp());

    /// <summary>Ends the span. Memory per job is the silos' RSS at the start of the span above the 0-job baseline, over N.</summary>
    public ResourceFigures Stop(int jobs, double? baselineRssKb)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var silo in _start.Keys.Where(s => !_end.ContainsKey(s)))
        {
            _end[silo] = (ProcessStats.Read(silo.Pid), now);
        }
        var silos = _start.Select(pair =>
        {
            var (start, end) = (pair.Value.Sample, _end[pair.Key]);
            double? cpu = start is { } s && end.Sample is { } e
                ? Math.Round(ProcessStats.CpuPercent(e.CpuTicks - s.CpuTicks, Stopwatch.GetElapsedTime(pair.Value.At, end.At)), 1)
                : null;
            return new SiloResources(pair.Key.Label, pair.Key.Pid, cpu, Mb(start), Mb(end.Sample));
        }).ToList();
        _poll.Dispose();
        var postgresEnd = PollPostgres();
        Dictionary<int, ProcessSample> postgresSeen;
        lock (_lock)
        {
            _stopped = true;
            postgresSeen = new Dictionary<int, ProcessSample>(_postgresLast);
        }
        var wall = Stopwatch.GetElapsedTime(_startedAt, now);
        var postgres = postgresEnd.Count == 0 ? null : new PostgresResources(postgresEnd.Count,
            Math.Round(ProcessStats.CpuPercent(ProcessStats.PostgresTicks(_postgresStart, postgresSeen), wall), 1),
            ProcessStats.Mb(postgresEnd.Values.Sum(p => p.RssKb)), ProcessStats.Mb(postgresEnd.Values.Sum(p => p.AnonKb)));

        var rssStartKb = _start.Values.Sum(v => v.Sample?.RssKb ?? 0);
        double? perJob = null;
        string basis;
        if (jobs <= 0 || rssStartKb == 0)
        {
            basis = "not measured";
        }
        else if (baselineRssKb is { } baseline)
        {
            perJob = Math.Round((rssStartKb - baseline * _start.Count) / jobs, 2);
            basis = "(silo RSS at window start - 0-job silo RSS) / N";
        }
        else
        {
            perJob = Math.Round((double)rssStartKb / jobs, 2);
            basis = "silo RSS at window start / N (no 0-job baseline)";
        }
        return new ResourceFigures
        {
            Silos = silos, Postgres = postgres, BaselineRssMb = baselineRssKb is { } b ? ProcessStats.Mb((long)b) : null,
            MemoryPerJobKb = perJob, MemoryPerJobBasis = basis,
        };
    }

    private static double? Mb(ProcessSample? sample) => sample is { } s ? ProcessStats.Mb(s.RssKb) : null;
}
