namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>The built-in <c>db-backup</c> job (<see cref="PostgresBackupJob"/>), configured under <c>Cron:BuiltIn:Backup</c>.</summary>
public sealed class PostgresBackupOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Cron:BuiltIn:Backup";

    /// <summary>Whether the job is registered at all. Default: false, because it needs a directory and writes there.</summary>
    public bool Enabled { get; set; }

    /// <summary>Cron expression (UTC). Default: <c>0 2 * * *</c>, daily at 02:00.</summary>
    public string Schedule { get; set; } = "0 2 * * *";

    /// <summary>
    /// Where backups go; created when missing. Required when enabled. Put it on another disk than the database, or the backup dies with
    /// it. Only files named <c>totallator-&lt;yyyyMMddTHHmmssZ&gt;.dump</c> are ever deleted from it.
    /// </summary>
    public string? Directory { get; set; }

    /// <summary>How many of the newest backups to keep; older ones are deleted after each successful backup. Default: 7.</summary>
    public int Keep { get; set; } = 7;

    /// <summary>The pg_dump executable: a path, or a name looked up on <c>PATH</c>. Default: <c>pg_dump</c>. Its major version must be at least the server's.</summary>
    public string PgDumpPath { get; set; } = "pg_dump";

    /// <summary>Per-attempt timeout; pg_dump is killed when it passes and the partial file deleted. Default: 3 600 000 ms (1 hour).</summary>
    public int TimeoutMs { get; set; } = 3_600_000;

    /// <summary>
    /// The database to back up, as an Npgsql connection string. Default: <c>ConnectionStrings:Postgres</c>. Only host, port, user name,
    /// database, SSL mode and password are passed on; the password goes to pg_dump through <c>PGPASSWORD</c>, never its command line.
    /// </summary>
    public string? ConnectionString { get; set; }
}
