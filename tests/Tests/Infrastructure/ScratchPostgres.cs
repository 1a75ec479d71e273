using System.Diagnostics;
using Npgsql;

namespace Totallator.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server of its own (initdb into a temporary directory, its own port), for tests that stop and start the database:
/// stopping the shared server would break every other test. Uses the binaries of the system package; as root it runs them as
/// the <c>postgres</c> user, because initdb refuses to run as root.
/// </summary>
public sealed class ScratchPostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dataDir;
    private readonly int _port;
    private readonly string _listenAddresses;

    private ScratchPostgres(string bin, string dataDir, int port, string listenAddresses)
    {
        _bin = bin;
        _dataDir = dataDir;
        _port = port;
        _listenAddresses = listenAddresses;
    }

    public string ConnectionString => ConnectionStringFor("127.0.0.1");

    /// <summary>The connection string through another of the addresses it listens on (see <see cref="StartAsync"/>).</summary>
    public string ConnectionStringFor(string host) => $"Host={host};Port={_port};Username=postgres;Database=postgres;Pooling=true;Timeout=3";

    /// <summary>
    /// Starts a new server on 127.0.0.1 (trust authentication on loopback). <paramref name="extraListenAddresses"/> adds addresses to
    /// listen on (they must exist on the host already) and <paramref name="extraHbaLines"/> lines to pg_hba.conf, e.g.
    /// "host all all 10.201.7.0/24 trust" for clients in a network namespace.
    /// </summary>
    public static async Task<ScratchPostgres> StartAsync(IReadOnlyList<string>? extraListenAddresses = null, IReadOnlyList<string>? extraHbaLines = null)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException("No PostgreSQL binaries under /usr/lib/postgresql/*/bin: run scripts/ensure-postgres.sh (it installs the system package).");
        }
        var dataDir = Path.Combine(Path.GetTempPath(), "totallator-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dataDir);
        var listen = string.Join(",", (extraListenAddresses ?? []).Prepend("127.0.0.1"));
        var server = new ScratchPostgres(bin, dataDir, FreePorts.One(), listen);
        await RunAsPostgresAsync("chown", $"postgres {dataDir}", asRoot: true);
        await RunAsPostgresAsync(Path.Combine(bin, "initdb"), $"-D {dataDir}/data -U postgres --auth=trust -E UTF8 --no-sync");
        if (extraHbaLines is { Count: > 0 })
        {
            // Appended after initdb's own lines; the file keeps its owner (the postgres user), only its content grows.
            await File.AppendAllLinesAsync(Path.Combine(dataDir, "data", "pg_hba.conf"), extraHbaLines);
        }
        await server.StartServerAsync();
        return server;
    }

    /// <summary>Starts the server (again) and waits until it answers.</summary>
    public async Task StartServerAsync()
    {
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"),
            $"-D {_dataDir}/data -l {_dataDir}/log -w -t 30 -o \"-p {_port} -k {_dataDir} -c listen_addresses={_listenAddresses} -c fsync=off\" start");
        await using var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
    }

    /// <summary>Stops the server at once (fast shutdown: connections are cut).</summary>
    public Task StopServerAsync() => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), $"-D {_dataDir}/data -m fast -w -t 30 stop");

    private static async Task RunAsPostgresAsync(string program, string arguments, bool asRoot = false)
    {
        var root = Environment.UserName == "root";
        if (asRoot && !root)
        {
            return;
        }
        var start = root && !asRoot
            ? new ProcessStartInfo("runuser", $"-u postgres -- {program} {arguments}")
            : new ProcessStartInfo(program, arguments);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} {arguments} failed ({process.ExitCode}): {await stderr} {await stdout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await StopServerAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }
        Directory.Delete(_dataDir, recursive: true);
    }
}
