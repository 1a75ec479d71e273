using System.Globalization;

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
}
