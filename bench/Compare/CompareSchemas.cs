using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Totallator.Grains.Storage;

namespace Totallator.Bench.Compare;

/// <summary>
/// What each row's fresh database holds before its nodes start: the scheduler's own schema (Totallator's migrator, Quartz's
/// tables, Hangfire.PostgreSql's installer), the <c>benchFire</c> table of the shared recorder, and how to tell that all N jobs
/// are registered.
/// </summary>
public static class CompareSchemas
{
    public static async Task ApplyAsync(SchedulerKind kind, string connectionString, CancellationToken cancellationToken)
    {
        switch (kind)
        {
            case SchedulerKind.Totallator:
                await new SchemaMigrator(NullLogger<SchemaMigrator>.Instance).MigrateAsync(connectionString, cancellationToken);
                break;
            case SchedulerKind.Quartz:
                await ExecuteAsync(connectionString, QuartzTables(), cancellationToken);
                break;
            case SchedulerKind.Hangfire:
                HangfireSettings.PrepareSchema(connectionString);
                break;
            default:
                throw new BenchException($"Unknown scheduler kind {kind}.");
        }
        await ExecuteAsync(connectionString, FireRecorder.CreateTableSql, cancellationToken);
    }

    /// <summary>
    /// How many of the N jobs are registered, as each scheduler defines it: Totallator, stored and given their heartbeat reminder
    /// (as the existing bench counts registration); Quartz, cron triggers stored; Hangfire, recurring jobs in its schedule set.
    /// </summary>
    public static string RegisteredCountSql(SchedulerKind kind) => kind switch
    {
        SchedulerKind.Totallator => "SELECT least((SELECT count(*) FROM cronJob), (SELECT count(*) FROM orleansremindertable WHERE remindername = 'cron-heartbeat'))",
        SchedulerKind.Quartz => "SELECT count(*) FROM qrtz_cron_triggers",
        SchedulerKind.Hangfire => "SELECT count(*) FROM hangfire.\"set\" WHERE key = 'recurring-jobs'",
        _ => throw new BenchException($"Unknown scheduler kind {kind}."),
    };

    private static string QuartzTables()
    {
        using var stream = typeof(CompareSchemas).Assembly.GetManifestResourceStream("quartz-tables-postgres.sql")
            ?? throw new BenchException("The Quartz schema is not embedded in the bench (quartz-tables-postgres.sql).");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
