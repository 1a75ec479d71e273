using Microsoft.Extensions.Options;
using Npgsql;
using Totallator.Grains.Scheduling;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>Checks <see cref="PostgresBackupOptions"/> when the job is enabled; a disabled job needs nothing.</summary>
public sealed class PostgresBackupOptionsValidator : IValidateOptions<PostgresBackupOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresBackupOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        const string Path = PostgresBackupOptions.SectionName;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            failures.Add($"{Path}:Directory is required when {Path}:Enabled is true");
        }
        if (string.IsNullOrWhiteSpace(options.Schedule))
        {
            failures.Add($"{Path}:Schedule is required");
        }
        else if (!CronSchedule.TryParse(options.Schedule, "UTC", TimeProvider.System.GetUtcNow(), ScheduleVariables.FromProcess([]), ScheduleOrigin.Definition, out _, out var error))
        {
            failures.Add($"{Path}:Schedule is invalid: {error}");
        }
        if (options.Keep < 1)
        {
            failures.Add($"{Path}:Keep must be at least 1 (got {options.Keep})");
        }
        if (string.IsNullOrWhiteSpace(options.PgDumpPath))
        {
            failures.Add($"{Path}:PgDumpPath must not be empty");
        }
        if (options.TimeoutMs <= 0)
        {
            failures.Add($"{Path}:TimeoutMs must be a positive number of milliseconds (got {options.TimeoutMs})");
        }
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"ConnectionStrings:Postgres (or {Path}:ConnectionString) is required when {Path}:Enabled is true");
        }
        else
        {
            try
            {
                if (string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(options.ConnectionString).Database))
                {
                    failures.Add($"The connection string for {Path} names no database");
                }
            }
            catch (ArgumentException)
            {
                // Not the exception's message: it may quote part of the connection string, password included.
                failures.Add($"The connection string for {Path} is not a valid Npgsql connection string");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
