using System.Diagnostics;
using System.Runtime.Versioning;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Totallator.Grains.Jobs.BuiltIn;
using Totallator.Tests.Infrastructure;
using Totallator.Tests.Unit.Jobs;

namespace Totallator.Tests.Storage.Jobs;

/// <summary>
/// Real pg_dump against the real server. Each test gets a scratch database and a login role of its own with a password that appears
/// nowhere else, so finding it in any output would mean it leaked.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresBackupJobTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _role = $"t_backup_{Guid.NewGuid():N}";
    private readonly string _password = $"Pw-{Guid.NewGuid():N}";
    private readonly string _table = $"backup_probe_{Guid.NewGuid():N}"[..30];
    private string _adminConnectionString = "";
    private string _jobConnectionString = "";

    public async Task InitializeAsync()
    {
        _adminConnectionString = await PostgresServer.CreateDatabaseAsync("backup");
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using (var command = new NpgsqlCommand(
            $"""
             CREATE ROLE "{_role}" LOGIN PASSWORD '{_password}';
             CREATE TABLE "{_table}" (id int PRIMARY KEY, note text);
             INSERT INTO "{_table}" VALUES (1, 'backed up');
             ALTER TABLE "{_table}" OWNER TO "{_role}";
             """, connection))
        {
            await command.ExecuteNonQueryAsync();
        }
        _jobConnectionString = new NpgsqlConnectionStringBuilder(_adminConnectionString) { Username = _role, Password = _password }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        await PostgresServer.DropDatabaseAsync(_adminConnectionString);
        await using var connection = new NpgsqlConnection(PostgresServer.ServerConnectionString + ";Database=postgres");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP ROLE IF EXISTS \"{_role}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose() => _temp.Dispose();

    private PostgresBackupJob Job(TimeProvider timeProvider, string? connectionString = null, string pgDump = "/usr/bin/pg_dump") =>
        new(new PostgresBackupOptions
        {
            Enabled = true,
            Directory = _temp.Path,
            Keep = 2,
            PgDumpPath = pgDump,
            ConnectionString = connectionString ?? _jobConnectionString,
        }, timeProvider);

    [Fact]
    public async Task ThreeBackupsWithKeepTwoLeaveTheNewestTwoValidDumpsAndNeverExposeThePassword()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 2, 0, 0, TimeSpan.Zero));
        var logger = new ListLogger();
        var results = new List<Totallator.Grains.Jobs.CronJobResult>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await Job(time).ExecuteAsync(TestJobContext.Create(logger)));
            time.Advance(TimeSpan.FromDays(1));
        }

        Assert.All(results, r => Assert.True(r.Success, r.Message + "\n" + r.Output));
        var files = Directory.GetFiles(_temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["totallator-20260302T020000Z.dump", "totallator-20260303T020000Z.dump"], files);

        var last = results[^1];
        Assert.StartsWith("Backup totallator-20260303T020000Z.dump written (", last.Message, StringComparison.Ordinal);
        Assert.Equal(1, last.ItemsProcessed);
        Assert.Equal(new FileInfo(_temp.Combine("totallator-20260303T020000Z.dump")).Length, last.Metrics["bytes"]);
        Assert.Equal(1, last.Metrics["deletedFiles"]);
        Assert.Equal(0, results[0].Metrics["deletedFiles"]);
        Assert.Equal(0, last.ExitCode);

        var listing = await RunAsync("/usr/bin/pg_restore", "--list", _temp.Combine("totallator-20260303T020000Z.dump"));
        Assert.Contains($"TABLE public {_table}", listing, StringComparison.Ordinal);

        Assert.All(results, r =>
        {
            Assert.DoesNotContain(_password, r.Message ?? "", StringComparison.Ordinal);
            Assert.DoesNotContain(_password, r.Output ?? "", StringComparison.Ordinal);
        });
        Assert.DoesNotContain(logger.Lines, line => line.Contains(_password, StringComparison.Ordinal));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task PgDumpGetsItsPasswordAndBaseEnvironment_ButNeverTheSilosOtherSecrets()
    {
        using var canary = new EnvironmentCanary();
        // A pg_dump that records the environment it was given, then is the real pg_dump.
        using var tools = new TempDirectory();
        var environmentFile = tools.Combine("pg_dump.env");
        var wrapper = tools.Combine("pg_dump");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\n/usr/bin/env > '{environmentFile}'\nexec /usr/bin/pg_dump \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await Job(TimeProvider.System, pgDump: wrapper).ExecuteAsync(TestJobContext.Create());

        Assert.True(result.Success, result.Message + "\n" + result.Output);
        var environment = await File.ReadAllTextAsync(environmentFile);
        canary.AssertAbsentFrom(environment);
        Assert.Contains($"PGPASSWORD={_password}\n", environment, StringComparison.Ordinal);
        Assert.Contains($"PATH={Environment.GetEnvironmentVariable("PATH")}\n", environment, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedDumpLeavesNoFileAndDoesNotExposeThePassword()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(_jobConnectionString) { Host = "127.0.0.1", Port = 1 }.ConnectionString;
        var logger = new ListLogger();

        var result = await Job(TimeProvider.System, unreachable).ExecuteAsync(TestJobContext.Create(logger));

        Assert.False(result.Success);
        Assert.Equal("pg_dump exited with code 1", result.Message);
        Assert.Contains("connection", result.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Directory.GetFiles(_temp.Path));
        Assert.DoesNotContain(_password, result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(logger.Lines, line => line.Contains(_password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMissingPgDumpFailsTheRunWithAClearMessage()
    {
        var result = await Job(TimeProvider.System, pgDump: "/nonexistent/pg_dump").ExecuteAsync(TestJobContext.Create());

        Assert.False(result.Success);
        Assert.Contains("'/nonexistent/pg_dump' could not be started", result.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public async Task CancellingABlockedDumpKillsPgDumpAndLeavesNoFile()
    {
        // A lock held elsewhere makes pg_dump wait (it has no lock timeout by default): a dump that is surely still running.
        await using var blocker = new NpgsqlConnection(_adminConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand($"LOCK TABLE \"{_table}\" IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }
        using var cts = new CancellationTokenSource();

        var run = Job(TimeProvider.System).ExecuteAsync(TestJobContext.Create(cancellationToken: cts.Token));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (PgDumpProcessesWritingTo(_temp.Path).Count == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "pg_dump should have started within 10 s");
            await Task.Delay(50);
        }
        await Task.Delay(500);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(Directory.GetFiles(_temp.Path));
        Assert.Empty(PgDumpProcessesWritingTo(_temp.Path));
    }

    /// <summary>Live processes whose command line mentions <paramref name="directory"/> (pg_dump's -f argument does).</summary>
    private static List<int> PgDumpProcessesWritingTo(string directory)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
            {
                continue;
            }
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(entry, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains("pg_dump", StringComparison.Ordinal) && commandLine.Contains(directory, StringComparison.Ordinal) && ProcFs.IsAlive(pid))
                {
                    found.Add(pid);
                }
            }
            catch (IOException)
            {
                // Exited while we looked.
            }
        }
        return found;
    }

    private static async Task<string> RunAsync(string fileName, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{fileName} should accept the dump as a custom-format archive: {await stderr}");
        return await stdout;
    }
}
