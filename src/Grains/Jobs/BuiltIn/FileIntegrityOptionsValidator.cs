using Microsoft.Extensions.Options;
using Totallator.Grains.Scheduling;

namespace Totallator.Grains.Jobs.BuiltIn;

/// <summary>Checks <see cref="FileIntegrityOptions"/> when the job is enabled; a disabled job needs nothing.</summary>
public sealed class FileIntegrityOptionsValidator : IValidateOptions<FileIntegrityOptions>
{
    public ValidateOptionsResult Validate(string? name, FileIntegrityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }
        const string Path = FileIntegrityOptions.SectionName;
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
        if (options.TimeoutMs <= 0)
        {
            failures.Add($"{Path}:TimeoutMs must be a positive number of milliseconds (got {options.TimeoutMs})");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
