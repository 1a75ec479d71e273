using System.Globalization;
using Totallator.Grains.Interfaces.Jobs;

namespace Totallator.Grains.Jobs.Command;

/// <summary>
/// A job that runs an external command, defined in configuration (see <see cref="CommandJobConfiguration"/>). Exit code 0 is success;
/// any other code fails the attempt. Stdout and stderr, bounded, become the execution's output.
/// </summary>
public sealed class CommandJob : ICronJob
{
    private readonly CommandJobOptions _options;

    public CommandJob(CommandJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Command, nameof(options));
        _options = options;
    }

    public async Task<CronJobResult> ExecuteAsync(CronJobContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = new CommandRequest
        {
            FileName = _options.Command!,
            Arguments = [.. _options.Arguments],
            WorkingDirectory = string.IsNullOrWhiteSpace(_options.WorkingDirectory) ? null : _options.WorkingDirectory,
            MaxOutputBytes = _options.MaxOutputBytes,
            Environment = CommandEnvironment.Build(CommandEnvironment.Silo(), _options.PassEnvironment, _options.Environment,
                OccurrenceEnvironment(context)),
        };
        var run = await CommandRunner.RunAsync(request, context.Logger, context.CancellationToken).ConfigureAwait(false);
        if (!run.Started)
        {
            return CronJobResult.Failure(run.StartError!);
        }
        return new CronJobResult
        {
            Success = run.ExitCode == 0,
            Message = string.Create(CultureInfo.InvariantCulture, $"Command exited with code {run.ExitCode}"),
            Output = run.Output,
            ExitCode = run.ExitCode,
            Metrics = new Dictionary<string, double>
            {
                ["outputBytes"] = run.OutputBytes,
                ["durationMs"] = Math.Round(run.Elapsed.TotalMilliseconds),
            },
            MemoryUsageMb = run.PeakMemoryMb,
            CpuUsagePercent = run.CpuUsagePercent,
        };
    }

    /// <summary>
    /// What the command learns about its run, as environment variables: a command can make its own side effects idempotent with
    /// the occurrence key, which every attempt of one occurrence shares (docs/architecture.md#decisions, decision 1: the occurrence key).
    /// </summary>
    private static Dictionary<string, string> OccurrenceEnvironment(CronJobContext context) => new(StringComparer.Ordinal)
    {
        ["TOTALLATOR_JOB"] = context.JobSlug,
        ["TOTALLATOR_EXECUTION_ID"] = context.ExecutionId.ToString(),
        ["TOTALLATOR_OCCURRENCE_KEY"] = context.OccurrenceKey,
        ["TOTALLATOR_SCHEDULED_FOR"] = context.ScheduledFor.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        ["TOTALLATOR_RETRY_COUNT"] = context.RetryCount.ToString(CultureInfo.InvariantCulture),
        ["TOTALLATOR_TRIGGERED_BY"] = context.TriggeredBy.ToText(),
    };
}
