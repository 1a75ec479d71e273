using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Totallator.Grains.Storage;

/// <summary>
/// Applies the forward-only scripts of <c>sql/migrations</c> (embedded in this assembly) with DbUp, journaled in
/// <c>totallator_schema_versions</c>. Safe when several silos start at once: the whole upgrade runs under a PostgreSQL
/// session advisory lock, so the first silo applies the scripts and the others wait, then find nothing to do.
/// </summary>
public sealed partial class SchemaMigrator(ILogger<SchemaMigrator> logger)
{
    // Arbitrary but fixed: every Totallator process that migrates takes the same lock.
    private const long AdvisoryLockKey = 0x746F74616C6C61; // "totalla"
    internal const string JournalTable = "totallator_schema_versions";

    /// <summary>Applies pending scripts; returns the names of the scripts applied (empty when up to date).</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(string connectionString, CancellationToken cancellationToken)
    {
        await EnsureDatabaseAsync(connectionString, cancellationToken);
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", AdvisoryLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly, name => name.StartsWith("Totallator.Migrations.", StringComparison.Ordinal))
                .JournalToPostgresqlTable("public", JournalTable)
                .WithTransactionPerScript()
                // No 30 s limit: 0015 copies the whole history into its partitions (43 M rows at 1,000 fires a minute take
                // minutes), and a script cut short rolls back and leaves the silo unable to start.
                .WithExecutionTimeout(TimeSpan.FromHours(6))
                // Function bodies use $$ quoting; DbUp's $name$ variables would corrupt them.
                .WithVariablesDisabled()
                .LogTo(new UpgradeLog(logger))
                .Build();
            // DbUp is synchronous; keep it off the caller's thread.
            var result = await Task.Run(upgrader.PerformUpgrade, cancellationToken);
            if (!result.Successful)
            {
                throw new InvalidOperationException(
                    $"Schema migration failed in script '{result.ErrorScript?.Name ?? "?"}': {result.Error?.Message}", result.Error);
            }
            var applied = result.Scripts.Select(s => s.Name).ToList();
            LogMigrated(logger, applied.Count, applied);
            return applied;
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", AdvisoryLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Creates the database itself when it does not exist yet (needs CREATEDB), so a first silo can start on a bare server.</summary>
    private async Task EnsureDatabaseAsync(string connectionString, CancellationToken cancellationToken)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(target.Database))
        {
            return;
        }
        var admin = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (PostgresException)
        {
            // No access to the maintenance database: the operator created ours; migrating will tell if it is missing.
            return;
        }
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", target.Database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
        {
            return;
        }
        var quoted = "\"" + target.Database.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
#pragma warning disable CA2100 // The name is quoted as an identifier; CREATE DATABASE takes no parameters.
        await using var create = new NpgsqlCommand($"CREATE DATABASE {quoted}", connection);
#pragma warning restore CA2100
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
            LogCreatedDatabase(logger, target.Database);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another silo starting at the same moment created it first.
        }
    }

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Created database {Database}")]
    private static partial void LogCreatedDatabase(ILogger logger, string database);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Schema up to date; {Count} script(s) applied now: {Scripts}")]
    private static partial void LogMigrated(ILogger logger, int count, IReadOnlyList<string> scripts);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "DbUp: {Text}")]
    private static partial void LogDbUp(ILogger logger, string text);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "DbUp: {Text}")]
    private static partial void LogDbUpWarning(ILogger logger, string text);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "DbUp: {Text}")]
    private static partial void LogDbUpError(ILogger logger, Exception? exception, string text);

    private sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        private static string Format(string format, object[] args) =>
            args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);

        public void LogTrace(string format, params object[] args) => LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => LogDebug(format, args);

        public void LogDebug(string format, params object[] args)
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                // Guarded by IsEnabled just above; CA1873 does not see the guard through the generated method.
#pragma warning disable CA1873
                LogDbUp(logger, Format(format, args));
#pragma warning restore CA1873
            }
        }

        public void LogWarning(string format, params object[] args)
        {
            if (logger.IsEnabled(LogLevel.Warning))
            {
                LogDbUpWarning(logger, Format(format, args));
            }
        }

        public void LogError(string format, params object[] args) => LogError(null!, format, args);

        public void LogError(Exception ex, string format, params object[] args)
        {
            if (logger.IsEnabled(LogLevel.Error))
            {
                LogDbUpError(logger, ex, Format(format, args));
            }
        }
    }
}
