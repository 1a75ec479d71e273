using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Totallator.Bench;

/// <summary>
/// What open admin pages cost (docs/admin-read.md, "Live updates"): `livefeed [jobs] [streams...]` (default 500 jobs every 5 s
/// on one silo, 100 fires/s, and 0, 1 and 100 streams) starts a silo and the real AdminApi as child processes on a fresh
/// database, then for each count opens that many <c>/api/cron/events</c> streams, as that many open pages do, and measures 30 s:
/// the CPU of the AdminApi, the silo and PostgreSQL, the database's transactions per second, and the activity events each stream
/// received. The AdminApi reads the activity once a second for all its streams (ActivityFeed), so 100 streams should cost
/// the database what one costs; the zero row is the cluster's own work, to subtract.
/// </summary>
public static class LiveFeedCost
{
    public const string Verb = "livefeed";

    private const string Key = "bench-livefeed-admin-key-0123456789abcdef";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    public static Task<int> RunAsync(string[] args) =>
        // The drivers' shell: Ctrl+C stops the run, the children are killed and the database dropped; a BenchException is a message and exit 1.
        BenchExit.RunAsync(Verb, "the silo and the AdminApi", stop => MeasureAllAsync(args, stop));

    private static async Task<int> MeasureAllAsync(string[] args, CancellationToken stop)
    {
        var jobs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
        int[] counts = args.Length > 1 ? [.. args[1..].Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [0, 1, 100];
        var adminApi = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "AdminApi", "release", "Totallator.AdminApi.dll"));
        if (!File.Exists(adminApi))
        {
            throw new BenchException($"{adminApi} is missing: build the solution first (dotnet build Totallator.sln -c Release).");
        }
        var server = Environment.GetEnvironmentVariable(DriverOptions.ServerVariable) is { Length: > 0 } s ? s : DriverOptions.DefaultServer;
        var logDirectory = Path.Combine(Path.GetTempPath(), "totallator-bench", "livefeed-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(logDirectory);
        var machine = MachineInfo.Describe(await BenchDatabase.CheckServerAsync(server, stop));
        await using var database = await BenchDatabase.CreateAsync(server, stop);
        await using var cluster = SiloCluster.Start(1, jobs, "*/5 * * * * *", 5, TimeSpan.FromMinutes(5), database.ConnectionString, logDirectory);
        await cluster.WaitReadyAsync(stop);
        var port = SiloCluster.FreePort();
        using var api = StartAdminApi(adminApi, port, database.ConnectionString, cluster.ClusterId, Path.Combine(logDirectory, "adminapi.log"));
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
            http.DefaultRequestHeaders.Add("X-Api-Key", Key);
            await WaitReadyAsync(http, api, stop);
            Progress.Log("livefeed", $"{jobs:N0} jobs every 5 s on one silo; AdminApi on port {port}; logs in {logDirectory}");
            var rows = new List<string>();
            foreach (var count in counts)
            {
                rows.Add(await MeasureAsync(http, count, api.Id, cluster.Silos[0].Pid, database, stop));
            }
            Console.WriteLine($"livefeed: {jobs:N0} jobs every 5 s on one silo, {Window.TotalSeconds:0} s per row ({machine})");
            Console.WriteLine($"{"streams",7} | {"AdminApi CPU %",14} | {"silo CPU %",10} | {"PostgreSQL CPU %",16} | {"DB transactions/s",17} | activity events/s per stream (min-max)");
            rows.ForEach(Console.WriteLine);
            return 0;
        }
        finally
        {
            api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static Process StartAdminApi(string dll, int port, string connectionString, string clusterId, string logPath)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Postgres"] = connectionString;
        start.Environment["Orleans__ClusterId"] = clusterId;
        start.Environment["Orleans__ServiceId"] = clusterId;
        start.Environment["Admin__ApiKey"] = Key;
        // One caller opens every stream here; a real page is one caller each.
        start.Environment["Admin__Events__MaxStreamsPerCaller"] = "1000";
        start.Environment["Admin__Events__MaxStreams"] = "1000";
        var process = Process.Start(start) ?? throw new BenchException("the AdminApi did not start");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.WriteLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitReadyAsync(HttpClient http, Process api, CancellationToken stop)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (api.HasExited)
            {
                throw new BenchException($"the AdminApi exited with {api.ExitCode} before it was ready");
            }
            try
            {
                using var response = await http.GetAsync("/health/ready", stop);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(500, stop);
        }
        throw new BenchException("the AdminApi was not ready after 90 s");
    }

    private static async Task<string> MeasureAsync(HttpClient http, int count, int apiPid, int siloPid, BenchDatabase database, CancellationToken stop)
    {
        using var streamsEnd = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var events = new long[count];
        var streams = Enumerable.Range(0, count).Select(i => ReadStreamAsync(http, i, events, streamsEnd.Token)).ToList();
        await Task.Delay(WarmUp, stop);
        var before = await SampleAsync(apiPid, siloPid, database);
        var counted = events.ToArray();
        await Task.Delay(Window, stop);
        var after = await SampleAsync(apiPid, siloPid, database);
        var perStream = events.Select((e, i) => (e - counted[i]) / Window.TotalSeconds).ToList();
        await streamsEnd.CancelAsync();
        foreach (var stream in streams)
        {
            await stream;
        }
        var seconds = (after.At - before.At).TotalSeconds;
        double Cpu(long a, long b) => (b - a) / ProcessStats.TicksPerSecond / seconds * 100;
        var received = count == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{perStream.Min():N2}-{perStream.Max():N2}");
        return string.Create(CultureInfo.InvariantCulture,
            $"{count,7} | {Cpu(before.Api, after.Api),14:N1} | {Cpu(before.Silo, after.Silo),10:N1} | {Cpu(before.Postgres, after.Postgres),16:N1} | {(after.Transactions - before.Transactions) / seconds,17:N1} | {received}");
    }

    private sealed record Sample(DateTimeOffset At, long Api, long Silo, long Postgres, long Transactions);

    private static async Task<Sample> SampleAsync(int apiPid, int siloPid, BenchDatabase database)
    {
        await using var cmd = database.DataSource.CreateCommand("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()");
        // The statistics a backend reports reach pg_stat_database at its next transaction end: read in a fresh snapshot.
        await using (var clear = database.DataSource.CreateCommand("SELECT pg_stat_clear_snapshot()"))
        {
            await clear.ExecuteNonQueryAsync();
        }
        var transactions = (long)(await cmd.ExecuteScalarAsync())!;
        var postgres = ProcessStats.PostgresPids().Sum(p => ProcessStats.Read(p)?.CpuTicks ?? 0);
        return new Sample(DateTimeOffset.UtcNow, ProcessStats.Read(apiPid)?.CpuTicks ?? 0, ProcessStats.Read(siloPid)?.CpuTicks ?? 0, postgres, transactions);
    }

    // One open page: reads the server-sent events and counts the activity events until told to stop.
    private static async Task ReadStreamAsync(HttpClient http, int index, long[] events, CancellationToken stop)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/cron/events");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync(stop);
            using var reader = new StreamReader(body);
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                if (line == "event: activity")
                {
                    Interlocked.Increment(ref events[index]);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The row is measured.
        }
    }
}
