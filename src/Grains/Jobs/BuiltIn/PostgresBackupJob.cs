using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Totallator.Grains.Jobs.Command;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>
/// Backs up the database with <c>pg_dump -Fc</c> into <c>&lt;Directory&gt;/totallator-&lt;yyyyMMddTHHmmssZ&gt;.dump</c> and keeps the
/// newest <see cref="PostgresBackupOptions.Keep"/> of them. Restore with <c>pg_restore -d &lt;db&gt; &lt;file&gt;</c>.
/// </summary>
/// <remarks>
/// The dump is written to a hidden <c>.partial</c> file and renamed only when pg_dump exits 0, so a file with the final name is always a
/// complete dump; a failed or cancelled run deletes its partial file. Two runs in the same second write the same name, and the later
/// (complete) dump replaces the earlier one.
/// </remarks>
public sealed partial class PostgresBackupJob : ICronJob
{
    /// <summary>The job's slug when registered by <see cref="BuiltInJobServiceCollectionExtensions.AddBuiltInJobs"/>.</summary>
    public const string Slug = "db-backup";

    private const string TimestampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>
    /// The variables libpq reads (PostgreSQL manual, "Environment Variables"), passed from the silo when set: certificates, timeouts
    /// and the like an operator configured for PostgreSQL clients. By exact name, so no other <c>PG</c>-named variable rides along.
    /// </summary>
    internal static readonly IReadOnlyList<string> LibpqVariables =
    [
        "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGPASSFILE", "PGSERVICE", "PGSERVICEFILE",
        "PGREQUIREAUTH", "PGOPTIONS", "PGAPPNAME", "PGSSLMODE", "PGREQUIRESSL", "PGSSLNEGOTIATION", "PGSSLCOMPRESSION", "PGSSLCERT",
        "PGSSLKEY", "PGSSLCERTMODE", "PGSSLROOTCERT", "PGSSLCRL", "PGSSLCRLDIR", "PGSSLSNI", "PGREQUIREPEER",
        "PGSSLMINPROTOCOLVERSION", "PGSSLMAXPROTOCOLVERSION", "PGGSSENCMODE", "PGKRBSRVNAME", "PGGSSLIB", "PGGSSDELEGATION",
        "PGCHANNELBINDING", "PGCONNECT_TIMEOUT", "PGCLIENTENCODING", "PGTARGETSESSIONATTRS", "PGLOADBALANCEHOSTS", "PGDATESTYLE",
        "PGTZ", "PGGEQO", "PGSYSCONFDIR", "PGLOCALEDIR",
    ];

    private readonly PostgresBackupOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <param name="options">Validated options (see <see cref="PostgresBackupOptionsValidator"/>).</param>
    /// <param name="timeProvider">Source of the file name's timestamp. Default: the system clock.</param>
    public PostgresBackupJob(PostgresBackupOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options));
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public async Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        var directory = Path.GetFullPath(_options.Directory!);
        Directory.CreateDirectory(directory);
        var fileName = "totallator-" + _timeProvider.GetUtcNow().UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture) + ".dump";
        var finalPath = Path.Combine(directory, fileName);
        var partialPath = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.partial");

        CommandRunResult run;
        var renamed = false;
        try
        {
            var request = new CommandRequest
            {
                FileName = _options.PgDumpPath,
                Arguments = BuildArguments(connection, partialPath),
                Environment = BuildEnvironment(connection, CommandEnvironment.Silo()),
            };
            run = await CommandRunner.RunAsync(request, context.Logger, context.CancellationToken).ConfigureAwait(false);
            if (!run.Started)
            {
                LogBackupFailed(context.Logger, run.StartError!);
                return CronJobResult.Failure(run.StartError!);
            }
            if (run.ExitCode != 0)
            {
                var message = string.Create(CultureInfo.InvariantCulture, $"pg_dump exited with code {run.ExitCode}");
                LogBackupFailed(context.Logger, message);
                return new CronJobResult
                {
                    Success = false,
                    Message = message,
                    Output = run.Output,
                    ExitCode = run.ExitCode,
                    MemoryUsageMb = run.PeakMemoryMb,
                    CpuUsagePercent = run.CpuUsagePercent,
                };
            }
            File.Move(partialPath, finalPath, overwrite: true);
            renamed = true;
        }
        finally
        {
            if (!renamed)
            {
                DeletePartial(partialPath, context);
            }
        }

        var bytes = new FileInfo(finalPath).Length;
        LogBackupWritten(context.Logger, fileName, bytes);
        var deleted = DeleteOldBackups(directory, context);
        return new CronJobResult
        {
            Success = true,
            Message = string.Create(CultureInfo.InvariantCulture,
                $"Backup {fileName} written ({FormatSize(bytes)}); {deleted} old backup(s) deleted, {_options.Keep} kept at most"),
            Output = string.IsNullOrEmpty(run.Output) ? null : run.Output,
            ExitCode = run.ExitCode,
            ItemsProcessed = 1,
            Metrics = new Dictionary<string, double> { ["bytes"] = bytes, ["deletedFiles"] = deleted },
            MemoryUsageMb = run.PeakMemoryMb,
            CpuUsagePercent = run.CpuUsagePercent,
        };
    }

    /// <summary>pg_dump's arguments: where to connect and where to write. Deliberately no password (it would show in <c>ps</c>).</summary>
    internal static IReadOnlyList<string> BuildArguments(NpgsqlConnectionStringBuilder connection, string outputPath)
    {
        // -w: never prompt. Without it pg_dump asks for a missing password on /dev/tty and hangs until the timeout.
        List<string> arguments = ["-Fc", "-w", "-f", outputPath];
        if (!string.IsNullOrWhiteSpace(connection.Host))
        {
            arguments.AddRange(["-h", connection.Host]);
        }
        arguments.AddRange(["-p", connection.Port.ToString(CultureInfo.InvariantCulture)]);
        if (!string.IsNullOrWhiteSpace(connection.Username))
        {
            arguments.AddRange(["-U", connection.Username]);
        }
        arguments.AddRange(["-d", connection.Database!]);
        return arguments;
    }

    /// <summary>
    /// pg_dump's whole environment: the base every child gets (<see cref="CommandEnvironment.Base"/>), the silo's own libpq
    /// settings (<see cref="LibpqVariables"/>, e.g. <c>PGSSLROOTCERT</c>), and what the connection string says, the password among them where no
    /// other local user can read it. Nothing else of the silo's environment (its connection strings, the admin key) reaches it.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> BuildEnvironment(NpgsqlConnectionStringBuilder connection, IReadOnlyDictionary<string, string> silo)
    {
        var fromConnection = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PGSSLMODE"] = connection.SslMode switch
            {
                SslMode.Disable => "disable",
                SslMode.Allow => "allow",
                SslMode.Require => "require",
                SslMode.VerifyCA => "verify-ca",
                SslMode.VerifyFull => "verify-full",
                _ => "prefer",
            },
        };
        AddIfSet(fromConnection, "PGPASSWORD", connection.Password);
        AddIfSet(fromConnection, "PGPASSFILE", connection.Passfile);
        AddIfSet(fromConnection, "PGSSLCERT", connection.SslCertificate);
        AddIfSet(fromConnection, "PGSSLKEY", connection.SslKey);
        AddIfSet(fromConnection, "PGSSLROOTCERT", connection.RootCertificate);
        return CommandEnvironment.Build(silo, LibpqVariables, fromConnection, []);
    }

    private static void AddIfSet(Dictionary<string, string> environment, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            environment[name] = value;
        }
    }

    private static void DeletePartial(string path, CronJobContext context)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Must not hide why the run failed; the hidden .partial file never matches the backup name, so it is never kept as one.
            LogBackupDeleteFailed(context.Logger, ex, Path.GetFileName(path));
        }
    }

    private int DeleteOldBackups(string directory, CronJobContext context)
    {
        // The timestamp sorts as text, so the name orders backups; file times could be changed by a copy or a restore.
        var old = Directory.EnumerateFiles(directory)
            .Select(Path.GetFileName)
            .Where(name => name is not null && BackupFileName().IsMatch(name))
            .OrderDescending(StringComparer.Ordinal)
            .Skip(_options.Keep);
        var deleted = 0;
        foreach (var name in old)
        {
            try
            {
                File.Delete(Path.Combine(directory, name!));
                deleted++;
                LogBackupDeleted(context.Logger, name!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The new backup is written; an old one that cannot go now is tried again next run.
                LogBackupDeleteFailed(context.Logger, ex, name!);
            }
        }
        return deleted;
    }

    private static string FormatSize(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KiB, {bytes} bytes"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):0.#} MiB, {bytes} bytes"),
    };

    [GeneratedRegex(@"^totallator-\d{8}T\d{6}Z\.dump$", RegexOptions.CultureInvariant)]
    private static partial Regex BackupFileName();
}
