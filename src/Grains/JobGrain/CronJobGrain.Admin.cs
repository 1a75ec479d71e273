using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

public sealed partial class CronJobGrain
{
    private const int MaxTimeoutMs = 24 * 60 * 60 * 1000;
    private const int MaxRetriesLimit = 100;

    public async Task<TriggerResult> TriggerAsync(TriggerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = _job ?? throw new CronJobNotFoundException($"No job with slug '{_slug}'.");
        if (job.IsOrphaned || _definition is null)
        {
            return new TriggerResult { Started = false, RefusalReason = $"Job '{_slug}' is no longer defined in code or configuration; it cannot run." };
        }
        if (registry.IsStopping)
        {
            return new TriggerResult { Started = false, RefusalReason = "The silo hosting this job is shutting down; try again in a moment." };
        }
        string? note = null;
        if (_runs.Count > 0)
        {
            var running = _runs[0].CurrentExecutionId;
            if (!request.OverrideRunning)
            {
                return new TriggerResult
                {
                    Started = false, ExecutionId = running,
                    RefusalReason = $"Job '{_slug}' is already running (execution {running}); ask for an override to run it anyway.",
                };
            }
            note = $"manual override by {request.UserId}: started while execution {running} was running";
        }
        var now = timeProvider.GetUtcNow();
        var claim = NewClaim("", now, TriggerSource.Manual, request.UserId, note, advances: false);
        claim = claim with { OccurrenceKey = OccurrenceKeys.Manual(claim.ExecutionId) };
        if (!await store.TryClaimAsync(claim, CancellationToken.None))
        {
            throw new InvalidOperationException($"Manual occurrence {claim.OccurrenceKey} was already claimed; this cannot happen with a fresh id.");
        }
        StartRun(claim);
        return new TriggerResult { Started = true, ExecutionId = claim.ExecutionId };
    }

    public Task<bool> CancelAsync(Guid executionId, string userId, string? requestId)
    {
        var run = _runs.FirstOrDefault(r => r.CurrentExecutionId == executionId);
        if (run is null)
        {
            return Task.FromResult(false);
        }
        LogCancelRequested(logger, _slug, executionId, userId);
        run.Cancel(Execution.CancelReason.Admin, userId);
        return Task.FromResult(true);
    }

    public async Task<JobSnapshot> UpdateConfigAsync(JobConfigChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var job = _job ?? throw new CronJobNotFoundException($"No job with slug '{_slug}'.");
        var now = timeProvider.GetUtcNow();
        Validate(change, job, now);

        var scheduleChanged = change.Schedule is not null && change.Schedule != job.Schedule
            || change.TimeZone is not null && change.TimeZone != job.TimeZone;
        var enabling = change.IsEnabled == true && !job.IsEnabled;
        var update = new JobUpdate
        {
            Schedule = change.Schedule, TimeZone = change.TimeZone, TimeoutMs = change.TimeoutMs, MaxRetries = change.MaxRetries,
            MisfirePolicy = change.MisfirePolicy, IsEnabled = change.IsEnabled, ExpectedVersion = change.ExpectedVersion,
            ChangedBy = change.ChangedBy,
            // A new schedule, or a re-enabled job, starts from now: the old schedule's or the disabled period's occurrences are not misfires.
            ResetLastScheduledFor = scheduleChanged || enabling ? now : null,
        };
        _job = await store.UpdateJobAsync(_slug, update, now, CancellationToken.None);
        LogConfigChanged(logger, _slug, change.ChangedBy, _job.Version);
        CronSchedule.TryParse(_job.Schedule, _job.TimeZone, now, Environment.GetEnvironmentVariable, out _schedule, out var error);
        _invalidReason = error;
        if (update.ResetLastScheduledFor is { } reset)
        {
            _lastHandled = reset;
        }
        DisposeTimer();
        await PlanAsync();
        return Snapshot();
    }

    private static void Validate(JobConfigChange change, JobRecord job, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(change.ChangedBy))
        {
            throw Invalid("changedBy", "Who makes the change is required.");
        }
        if (change.TimeZone is not null && !CronSchedule.TryFindTimeZone(change.TimeZone, out _))
        {
            throw Invalid("timeZone", $"Unknown time zone '{change.TimeZone}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.");
        }
        if (change.Schedule is not null || change.TimeZone is not null)
        {
            var schedule = change.Schedule ?? job.Schedule;
            if (!CronSchedule.TryParse(schedule, change.TimeZone ?? job.TimeZone, now, Environment.GetEnvironmentVariable, out _, out var error))
            {
                throw Invalid(change.Schedule is not null ? "schedule" : "timeZone", error!);
            }
        }
        if (change.TimeoutMs is { } timeout && (timeout <= 0 || timeout > MaxTimeoutMs))
        {
            throw Invalid("timeoutMs", $"timeoutMs must be between 1 and {MaxTimeoutMs} (24 h); got {timeout}.");
        }
        if (change.MaxRetries is { } retries && (retries < 0 || retries > MaxRetriesLimit))
        {
            throw Invalid("maxRetries", $"maxRetries must be between 0 and {MaxRetriesLimit}; got {retries}.");
        }
        if (change.MisfirePolicy is { } policy && !Enum.IsDefined(policy))
        {
            throw Invalid("misfirePolicy", $"Unknown misfire policy {(int)policy}; use run_once, skip or run_all.");
        }
    }

    private static InvalidJobConfigurationException Invalid(string field, string message) => new(message) { Field = field };
}
