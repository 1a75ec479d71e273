using Microsoft.Extensions.Options;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;

namespace Totallator.Grains.Jobs.Command;

/// <summary>
/// Checks one <see cref="CommandJobOptions"/>. The options name is the job's configuration path (<c>Cron:Jobs:&lt;slug&gt;</c>), so
/// every message names the key to fix, e.g. <c>Cron:Jobs:nightly-report:Command is required</c>.
/// </summary>
public sealed class CommandJobOptionsValidator : IValidateOptions<CommandJobOptions>
{
    /// <summary>Smallest <see cref="CommandJobOptions.MaxOutputBytes"/>: below it head and tail are too short to be useful.</summary>
    public const int MinOutputBytes = 1024;

    /// <summary>Largest <see cref="CommandJobOptions.MaxOutputBytes"/>: the output is held in memory and stored in one row.</summary>
    public const int MaxOutputBytes = 16 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, CommandJobOptions options) => Validate(name, options, typed: false);

    /// <summary>
    /// As <see cref="Validate(string?, CommandJobOptions)"/>; for a job of a job type (<c>Type</c> set), the settings it shares
    /// with command jobs only: it has no command.
    /// </summary>
    internal static ValidateOptionsResult Validate(string? name, CommandJobOptions options, bool typed)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = string.IsNullOrEmpty(name) ? CommandJobOptions.SectionName + ":<slug>" : name;
        var failures = new List<string>();
        if (!typed && string.IsNullOrWhiteSpace(options.Command))
        {
            failures.Add($"{path}:Command is required");
        }
        if (string.IsNullOrWhiteSpace(options.Schedule) && options.After.Count == 0)
        {
            failures.Add($"{path}:Schedule is required (or After, for a job that runs only after other jobs)");
        }
        foreach (var entry in options.After)
        {
            if (!Interfaces.Jobs.Upstream.TryParse(entry, out _, out var error))
            {
                failures.Add($"{path}:After: {error}");
            }
        }
        // A schedule or time zone that does not parse is NOT an error here: the job is kept and shown invalid with its reason,
        // so one operator typo never stops a silo (and an unset ${VAR} can be fixed without redeploying).
        if (options.TimeoutMs <= 0)
        {
            failures.Add($"{path}:TimeoutMs must be a positive number of milliseconds (got {options.TimeoutMs})");
        }
        if (options.MaxRetries < 0)
        {
            failures.Add($"{path}:MaxRetries must not be negative (got {options.MaxRetries})");
        }
        if (!string.IsNullOrWhiteSpace(options.MisfirePolicy) && !MisfirePolicyText.TryParse(options.MisfirePolicy, out _))
        {
            failures.Add($"{path}:MisfirePolicy '{options.MisfirePolicy}' is unknown; use run_once, skip or run_all");
        }
        if (options.MisfireRunAllCap < 1)
        {
            failures.Add($"{path}:MisfireRunAllCap must be at least 1 (got {options.MisfireRunAllCap})");
        }
        if (options.MaxOutputBytes is < MinOutputBytes or > MaxOutputBytes)
        {
            failures.Add($"{path}:MaxOutputBytes must be between {MinOutputBytes} and {MaxOutputBytes} (got {options.MaxOutputBytes})");
        }
        foreach (var variable in options.Environment.Keys)
        {
            if (!EnvironmentSubstitution.IsValidName(variable))
            {
                failures.Add($"{path}:Environment:{variable} is not a valid variable name (letters, digits and underscores, not starting with a digit)");
            }
            else if (variable.StartsWith(CommandEnvironment.RunVariablePrefix, StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{path}:Environment:{variable} is reserved: the scheduler sets the {CommandEnvironment.RunVariablePrefix}* variables of each run");
            }
        }
        for (var i = 0; i < options.PassEnvironment.Count; i++)
        {
            if (!EnvironmentSubstitution.IsValidName(options.PassEnvironment[i]))
            {
                failures.Add($"{path}:PassEnvironment:{i} '{options.PassEnvironment[i]}' is not a variable name; list exact names, no patterns");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
