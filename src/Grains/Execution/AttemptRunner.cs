using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Clock;
using Totallator.Grains.Diagnostics;
using Totallator.Grains.Hosting;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;

namespace Totallator.Grains.Execution;

/// <summary>One attempt's identity, handed to the job as its context.</summary>
public sealed record AttemptInfo(string JobSlug, Guid ExecutionId, string OccurrenceKey, DateTimeOffset ScheduledFor,
    TriggerSource TriggeredBy, string? TriggeredByUserId, int RetryCount);

/// <summary>
/// Runs one attempt of a job off the grain's scheduler (on the thread pool), enforces its timeout and measures it. A job that
/// ignores its token is given <see cref="SchedulerOptions.CancellationGrace"/>, then recorded and left behind: the slot is freed
/// and the row tells the truth.
/// </summary>
public sealed partial class AttemptRunner(IServiceScopeFactory scopes, SchedulerClock clock, IOptions<SchedulerOptions> options,
    ILoggerFactory loggerFactory, SchedulerInstruments instruments, LeftRunningAttempts leftRunning)
{
    private const int MaxTextLength = 64 * 1024;
    private static readonly TimeSpan MinCpuWindow = TimeSpan.FromMilliseconds(100);

    public async Task<AttemptOutcome> RunAsync(CronJobDefinition definition, AttemptInfo info, TimeSpan timeout, ActiveRun run)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(run);
        // No scope of its own: the job grain's RunLogScope (job, execution, occurrence) is current for the whole occurrence.
        var logger = loggerFactory.CreateLogger($"Totallator.Jobs.{info.JobSlug}");
        // Current while the job runs (Task.Run carries it), so what the job traces nests under its attempt.
        using var activity = SchedulerActivities.StartAttempt(info);
        if (info.RetryCount > 0)
        {
            instruments.RetryStarted(info.JobSlug);
        }
        var stopwatch = Stopwatch.StartNew();
        var cpuBefore = ProcessCpuClock.Recent(MinCpuWindow);
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        using var timeoutCts = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(run.Token, timeoutCts.Token);
        var scope = scopes.CreateAsyncScope();
        var context = new CronJobContext
        {
            JobSlug = info.JobSlug, ExecutionId = info.ExecutionId, OccurrenceKey = info.OccurrenceKey, ScheduledFor = info.ScheduledFor,
            TriggeredBy = info.TriggeredBy, TriggeredByUserId = info.TriggeredByUserId, RetryCount = info.RetryCount,
            CancellationToken = linked.Token, Logger = logger, Services = scope.ServiceProvider,
        };
        LogAttemptStarting(logger, info.JobSlug, info.ExecutionId, info.RetryCount);
        // Task.Run: job code never runs on the grain's scheduler, so a CPU-bound or blocking job cannot stall the grain.
        var jobTask = Task.Run(() => definition.Factory(scope.ServiceProvider).ExecuteAsync(context));

        var finished = await WaitAsync(jobTask, linked.Token);
        if (!finished)
        {
            // Cancelled (timeout, admin or shutdown): give the job its grace to honour the token.
            finished = await WaitAsync(jobTask, CancellationToken.None, options.Value.CancellationGrace);
        }
        stopwatch.Stop();
        if (finished)
        {
            await scope.DisposeAsync();
        }
        else
        {
            // The job is still using its scope; dispose it when the job finally ends, and observe its exception. Counted until
            // then: at MaxAttemptsLeftRunningPerJob the job's next occurrences are skipped instead of piling up more of these.
            leftRunning.Add(info.JobSlug);
            _ = jobTask.ContinueWith(async _ =>
            {
                var left = leftRunning.Remove(info.JobSlug);
                LogLeftRunningEnded(logger, info.JobSlug, info.ExecutionId, left);
                await scope.DisposeAsync();
            }, TaskScheduler.Default);
        }

        var wall = stopwatch.Elapsed;
        var outcome = Classify(jobTask, finished, timeoutCts.IsCancellationRequested, run, timeout);
        var measuredMemory = (GC.GetTotalAllocatedBytes() - allocatedBefore) / (1024.0 * 1024.0);
        // Process-wide figures: the silo's CPU while the job ran, as % of one core. Under 100 ms of wall time that ratio is
        // noise from other threads, so it is not recorded (and the end costs no system call).
        var measuredCpu = wall >= MinCpuWindow ? ProcessCpuClock.PercentBetween(cpuBefore, ProcessCpuClock.ReadNow(), MinCpuWindow) : null;
        // Sanitised here, where the outcome is made: a NUL, half a surrogate pair or a NaN metric would be refused by the database.
        outcome = OutcomeSanitizer.Clean(outcome);
        outcome = outcome with
        {
            CompletedAt = clock.GetUtcNow(),
            DurationMs = (long)wall.TotalMilliseconds,
            MemoryUsageMb = Math.Round(outcome.MemoryUsageMb ?? measuredMemory, 3),
            CpuUsagePercent = outcome.CpuUsagePercent ?? (measuredCpu is { } cpu ? Math.Round(cpu, 2) : null),
        };
        SchedulerActivities.SetOutcome(activity, outcome.Status);
        instruments.AttemptEnded(info.JobSlug, info.TriggeredBy, outcome.Status, wall);
        // Successes at Debug: at thousands of fires per second one line each would drown the log (and the silo).
        if (outcome.Status == ExecutionStatus.Succeeded)
        {
            LogAttemptSucceeded(logger, info.JobSlug, info.ExecutionId, outcome.DurationMs);
        }
        else
        {
            LogAttemptFinished(logger, info.JobSlug, info.ExecutionId, outcome.Status, outcome.DurationMs, outcome.ErrorMessage);
        }
        return outcome;
    }

    private async Task<bool> WaitAsync(Task task, CancellationToken token, TimeSpan? limit = null)
    {
        try
        {
            await (limit is { } l ? task.WaitAsync(l, clock, token) : task.WaitAsync(token));
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!task.IsCompleted)
        {
            return false;
        }
        catch
        {
            // The job's own exception: it finished (faulted); Classify reads it from the task.
        }
        return task.IsCompleted;
    }

    private static AttemptOutcome Classify(Task<CronJobResult> jobTask, bool finished, bool timedOut, ActiveRun run, TimeSpan timeout)
    {
        var placeholder = new AttemptOutcome { Status = ExecutionStatus.Failed, CompletedAt = default, DurationMs = 0 };
        var timeoutText = $"Timed out after {timeout.TotalMilliseconds:0} ms";
        if (run.Reason != CancelReason.None && (!finished || jobTask.IsCanceled || jobTask.IsFaulted && IsCancellation(jobTask.Exception)))
        {
            var stillRunning = finished ? "" : " The job ignored cancellation and is still running in the background.";
            return run.Reason == CancelReason.Shutdown
                ? placeholder with
                {
                    Status = ExecutionStatus.Abandoned, ErrorMessage = "Abandoned: the silo shut down before the run finished." + stillRunning,
                    StatusReason = "shutdown", CancelledFromOutside = true, JobStillRunning = !finished,
                }
                : placeholder with
                {
                    Status = ExecutionStatus.Failed, ErrorMessage = $"Cancelled by {run.CancelledBy ?? "an admin"}." + stillRunning,
                    StatusReason = "cancelled", CancelledFromOutside = true, JobStillRunning = !finished,
                };
        }
        if (!finished)
        {
            return placeholder with
            {
                Status = ExecutionStatus.TimedOut, JobStillRunning = true,
                ErrorMessage = $"{timeoutText}; the job ignored cancellation and is still running in the background.",
            };
        }
        if (jobTask.IsCanceled || jobTask.IsFaulted && IsCancellation(jobTask.Exception))
        {
            return timedOut
                ? placeholder with { Status = ExecutionStatus.TimedOut, ErrorMessage = $"{timeoutText}; the job stopped on cancellation." }
                : placeholder with { Status = ExecutionStatus.Failed, ErrorMessage = "The job cancelled itself (OperationCanceledException).", StackTrace = jobTask.Exception?.InnerException?.ToString() };
        }
        if (jobTask.IsFaulted)
        {
            var ex = jobTask.Exception!.InnerExceptions.Count == 1 ? jobTask.Exception.InnerException! : jobTask.Exception;
            return placeholder with
            {
                Status = timedOut ? ExecutionStatus.TimedOut : ExecutionStatus.Failed,
                ErrorMessage = Bound($"{ex.GetType().Name}: {ex.Message}"),
                StackTrace = Bound(ex.ToString()),
            };
        }
        var result = jobTask.Result ?? CronJobResult.Failure("The job returned no result (null).");
        var status = timedOut ? ExecutionStatus.TimedOut : result.Success ? ExecutionStatus.Succeeded : ExecutionStatus.Failed;
        return placeholder with
        {
            Status = status,
            Output = Bound(result.Output is null ? (result.Success ? result.Message : null) : result.Output),
            ErrorMessage = status == ExecutionStatus.Succeeded ? null : Bound(timedOut ? $"{timeoutText}. {result.Message}" : result.Message ?? "The job reported failure."),
            ExitCode = result.ExitCode,
            ItemsProcessed = result.ItemsProcessed,
            Metrics = result.Metrics,
            MemoryUsageMb = result.MemoryUsageMb,
            CpuUsagePercent = result.CpuUsagePercent,
        };
    }

    private static bool IsCancellation(AggregateException? ex) =>
        ex?.InnerExceptions.All(e => e is OperationCanceledException) == true;

    private static string? Bound(string? text) => Storage.TextSanitizer.Bound(text, MaxTextLength);


    [LoggerMessage(EventId = 2101, Level = LogLevel.Debug, Message = "Job {JobSlug} execution {ExecutionId} attempt {RetryCount} starting")]
    private static partial void LogAttemptStarting(ILogger logger, string jobSlug, Guid executionId, int retryCount);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Debug, Message = "Job {JobSlug} execution {ExecutionId} ended Succeeded after {DurationMs} ms")]
    private static partial void LogAttemptSucceeded(ILogger logger, string jobSlug, Guid executionId, long durationMs);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Information, Message = "Job {JobSlug} execution {ExecutionId}: the attempt left running after its cancellation has ended; {Left} of this job still running")]
    private static partial void LogLeftRunningEnded(ILogger logger, string jobSlug, Guid executionId, int left);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Job {JobSlug} execution {ExecutionId} ended {Status} after {DurationMs} ms: {ErrorMessage}")]
    private static partial void LogAttemptFinished(ILogger logger, string jobSlug, Guid executionId, ExecutionStatus status, long durationMs, string? errorMessage);
}
