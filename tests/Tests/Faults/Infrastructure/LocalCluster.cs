using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Faults.Infrastructure;

/// <summary>
/// A cluster of real processes run by the local cluster runner (<c>scripts/cluster.sh</c>), exactly as an operator runs it: silo
/// and AdminApi processes on loopback ports, configured only through environment variables, on a database of their own. Faults are
/// the runner's own commands (kill, stop, cont, term, restart), so the suite proves the runner as well.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private static readonly TimeSpan _commandTimeout = TimeSpan.FromMinutes(4);
    private readonly Dictionary<string, string> _environment;
    private readonly bool _ownsDatabase;

    private LocalCluster(string connectionString, bool ownsDatabase, string directory, int offset, Dictionary<string, string> environment)
    {
        ConnectionString = connectionString;
        _ownsDatabase = ownsDatabase;
        Directory = directory;
        PortOffset = offset;
        _environment = environment;
        Database = NpgsqlDataSource.Create(connectionString);
        EffectsFile = Path.Combine(directory, "effects.log");
    }

    public string ConnectionString { get; }
    public NpgsqlDataSource Database { get; }
    /// <summary>The runner's directory: pid files, logs, the admin key.</summary>
    public string Directory { get; }
    /// <summary>Every job defined with <see cref="FaultJobs"/> appends a line here when it starts: the side effects, counted.</summary>
    public string EffectsFile { get; }
    public int PortOffset { get; }
    public string AdminApiUrl => string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{8080 + PortOffset}");
    public string AdminKey { get; } = "fault-suite-admin-key-" + Guid.NewGuid().ToString("N");

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A new database (unless one is given) and runner directory; <paramref name="configuration"/> reaches every process.</summary>
    public static async Task<LocalCluster> CreateAsync(string name, IReadOnlyDictionary<string, string> configuration, string? connectionString = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var ownsDatabase = connectionString is null;
        connectionString ??= await PostgresServer.CreateDatabaseAsync("fault_" + name);
        var directory = System.IO.Directory.CreateTempSubdirectory("totallator-fault-" + name + "-").FullName;
        var offset = FreeOffset();
        var environment = new Dictionary<string, string>(configuration, StringComparer.Ordinal);
        var cluster = new LocalCluster(connectionString, ownsDatabase, directory, offset, environment);
        environment["TOTALLATOR_CLUSTER_DIR"] = directory;
        environment["TOTALLATOR_POSTGRES"] = connectionString;
        environment["TOTALLATOR_PORT_OFFSET"] = offset.ToString(CultureInfo.InvariantCulture);
        environment["TOTALLATOR_CLUSTER_ID"] = "fault-" + name;
        environment["TOTALLATOR_ADMIN_API_KEY"] = cluster.AdminKey;
        // The test run built the silo and the AdminApi (Release) already.
        environment["TOTALLATOR_NO_BUILD"] = "1";
        environment[FaultJobs.EffectsVariable] = cluster.EffectsFile;
        return cluster;
    }

    public Task UpAsync(int silos) => RunAsync(null, "up", silos.ToString(CultureInfo.InvariantCulture));
    public Task KillAsync(string name) => RunAsync(null, "kill", name);
    public Task StopAsync(string name) => RunAsync(null, "stop", name);
    public Task ContAsync(string name) => RunAsync(null, "cont", name);
    public Task TermAsync(string name) => RunAsync(null, "term", name);
    public Task RestartAsync(string name) => RunAsync(null, "restart", name);
    public Task DownAsync() => RunAsync(null, "down");
    public Task<string> StatusAsync() => RunAsync(null, "status");

    /// <summary>Starts one process; <paramref name="extra"/> adds runner settings (e.g. TOTALLATOR_SILO_FAKETIME) for it alone.</summary>
    public Task StartAsync(string name, IReadOnlyDictionary<string, string>? extra = null) => RunAsync(extra, "start", name);

    /// <summary>Silo n's silo-to-silo port, as the runner assigns it.</summary>
    public int SiloPort(int n) => 11110 + n + PortOffset;

    /// <summary>Orleans' SiloStatus values as stored in orleansmembershiptable.status (None 0, Created 1, Joining 2, Active 3, ShuttingDown 4, Stopping 5, Dead 6).</summary>
    public const int Active = 3;
    public const int Dead = 6;

    /// <summary>
    /// The membership status of the newest generation of the silo on <paramref name="port"/> (and <paramref name="address"/>, when
    /// given: a silo restarted elsewhere keeps its port); -1 when it has no row.
    /// </summary>
    public async Task<int> SiloStatusAsync(int port, string? address = null)
    {
        await using var command = Database.CreateCommand("""
            SELECT status FROM orleansmembershiptable
            WHERE port = @port AND (@address::text IS NULL OR address = @address)
            ORDER BY generation DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("port", port);
        command.Parameters.AddWithValue("address", (object?)address ?? DBNull.Value);
        return await command.ExecuteScalarAsync() is int status ? status : -1;
    }

    /// <summary>Polls until the silo on <paramref name="port"/> is <see cref="Dead"/>; returns how long after <paramref name="since"/>.</summary>
    public async Task<TimeSpan> WaitForDeadAsync(int port, DateTimeOffset since, TimeSpan bound)
    {
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline)
        {
            if (await SiloStatusAsync(port) == Dead)
            {
                return DateTimeOffset.UtcNow - since;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the silo on port {port} was not declared dead within {bound.TotalSeconds:0} s");
    }

    /// <summary>The runner's name (silo1, …) of the silo whose address is in <paramref name="leaseOwner"/> (S127.0.0.1:port:generation).</summary>
    public string SiloOf(string leaseOwner)
    {
        ArgumentNullException.ThrowIfNull(leaseOwner);
        var port = int.Parse(leaseOwner.Split(':')[1], CultureInfo.InvariantCulture);
        return "silo" + (port - 11110 - PortOffset).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The runner's state (pid, running / stopped / dead) of one process.</summary>
    public async Task<string> StateAsync(string name)
    {
        var status = await StatusAsync();
        var line = status.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{name} is not in the runner's status:\n{status}");
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
    }

    public string Log(string name)
    {
        var path = Path.Combine(Directory, name + ".log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    /// <summary>The last lines of every process's log, for a failure message.</summary>
    public string Diagnostics()
    {
        var logs = System.IO.Directory.GetFiles(Directory, "*.log").Order(StringComparer.Ordinal)
            .Select(f => $"--- {Path.GetFileName(f)} ---\n{Tail(File.ReadAllText(f), 40)}");
        return string.Join('\n', logs);
    }

    /// <summary>Runs the runner with this cluster's settings; throws with its output when it fails.</summary>
    public async Task<string> RunAsync(IReadOnlyDictionary<string, string>? extra, params string[] args)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "cluster.sh"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in _environment.Concat(extra ?? new Dictionary<string, string>()))
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(_commandTimeout);
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"cluster.sh {string.Join(' ', args)} failed ({process.ExitCode}):\n{output}\n{Diagnostics()}");
        }
        return output;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // SIGKILL what is left rather than waiting for graceful stops: the test is over.
            foreach (var pidFile in System.IO.Directory.GetFiles(Directory, "*.pid"))
            {
                if (int.TryParse(File.ReadAllText(pidFile).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
                {
                    await SignalGroupAsync(pid, "CONT");
                    await SignalGroupAsync(pid, "KILL");
                }
            }
        }
        finally
        {
            await Database.DisposeAsync();
            if (_ownsDatabase)
            {
                await PostgresServer.DropDatabaseAsync(ConnectionString);
            }
            // TOTALLATOR_FAULT_KEEP=1 keeps the logs for a look after the run.
            if (Environment.GetEnvironmentVariable("TOTALLATOR_FAULT_KEEP") != "1")
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
        }
    }

    /// <summary>kill -SIG -- -pid, quietly: the process may be gone already.</summary>
    private static async Task SignalGroupAsync(int pid, string signal)
    {
        var info = new ProcessStartInfo("kill") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-" + signal);
        info.ArgumentList.Add("--");
        info.ArgumentList.Add("-" + pid.ToString(CultureInfo.InvariantCulture));
        using var kill = Process.Start(info)!;
        await kill.WaitForExitAsync();
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>An offset under which every port the runner would use (3 silo ports per silo for up to 5 silos, and the AdminApi's) is free now.</summary>
    private static int FreeOffset()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var offset = Random.Shared.Next(10, 400) * 10;
            var ports = Enumerable.Range(1, 5).SelectMany(n => new[] { 11110 + n, 30000 + n, 5080 + n }).Append(8080).Select(p => p + offset);
            if (ports.All(IsFree))
            {
                return offset;
            }
        }
        throw new InvalidOperationException("No free port range for a local cluster.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Totallator.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (Totallator.sln) above " + AppContext.BaseDirectory);
    }
}
