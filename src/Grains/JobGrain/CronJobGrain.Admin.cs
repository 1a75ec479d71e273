using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

public sealed partial class CronJobGrain
{
    private const int MaxTimeoutMs = 24 * 60 * 60 * 1000;
    private const int MaxRetriesLimit = 100;

    public Task<JobSnapshot> UpdateConfigAsync(JobConfigChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var job = _job ?? throw NotFound();
        var now = clock.GetUtcNow();
        JobTypes.ApiJobRules.ThrowIfNotEditable(job, change);
        Validate(change, job, now, variables);
        var parameters = ValidateParameters(change, job);
        return StoreGuard.RunAsync(logger, "changing a job", () => ApplyConfigAsync(change, job, now, parameters));
    }

    /// <summary>
    /// New parameters for a job from a job type: validated against its type, with secrets left out kept from the stored ones;
    /// as stored and as audited. Null when the change sets none.
    /// </summary>
    private (string Stored, string AuditedOld, string AuditedNew)? ValidateParameters(JobConfigChange change, JobRecord job)
    {
        if (change.ParametersJson is not { } sent)
        {
            return null;
        }
        var type = types.Find(job.JobType!) ?? throw Invalid("parameters", $"Job type '{job.JobType}' is not registered on the silo that hosts this job; its parameters cannot be checked.");
        var merged = JobTypes.JobParameters.Merged(type, sent, job.ParametersJson!);
        ReadParameters(type, merged);
        var stored = Canonical(type, merged);
        return (stored, JobTypes.JobParameters.Audited(type, job.ParametersJson!), JobTypes.JobParameters.Audited(type, stored, before: job.ParametersJson));
    }

    private async Task<JobSnapshot> ApplyConfigAsync(JobConfigChange change, JobRecord job, DateTimeOffset now, (string Stored, string AuditedOld, string AuditedNew)? parameters,
        string? pausedReason = null)
    {
        var scheduleChanged = change.Schedule is not null && change.Schedule != job.Schedule
            || change.TimeZone is not null && change.TimeZone != job.TimeZone;
        var enabling = change.IsEnabled == true && !job.IsEnabled;
        var disabling = change.IsEnabled == false && job.IsEnabled;
        var update = new JobUpdate
        {
            Schedule = change.Schedule is { } sent && string.IsNullOrWhiteSpace(sent) ? "" : change.Schedule, TimeZone = change.TimeZone, TimeoutMs = change.TimeoutMs, MaxRetries = change.MaxRetries,
            MisfirePolicy = change.MisfirePolicy, IsEnabled = change.IsEnabled, ExpectedVersion = change.ExpectedVersion,
            After = change.After is { } after ? Dependencies.UpstreamList.Normalize(after) : null,
            Name = change.Name?.Trim(), Description = change.Description?.Trim(), ParametersJson = parameters?.Stored,
            AuditedParameters = parameters is { } p ? (p.AuditedOld, p.AuditedNew) : null,
            PauseAfterFailures = change.PauseAfterFailures, PausedReason = pausedReason,
            ChangedBy = change.ChangedBy, AuditAction = pausedReason is null ? AuditActionOf(change) : "job.breaker-open", RequestId = change.RequestId,
            // A new schedule, or a re-enabled job, starts from now: the old schedule's or the disabled period's occurrences are not misfires.
            // Disabling does too: an occurrence claimed ahead is then removed by its release, not handed over to run later.
            ResetLastScheduledFor = scheduleChanged || enabling || disabling ? now : null,
        };
        try
        {
            // The update's row comes back without the jobs that run after this one (only a load reads them): keep them.
            _job = await store.UpdateJobAsync(_slug, update, now, CancellationToken.None) with { Downstreams = job.Downstreams };
        }
        catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
        {
            // The change may have committed with its reply lost: planning on the job as it was could claim occurrences of a
            // schedule that is no longer the job's (found by the simulation). Read it again before planning anything more.
            _reloadBeforeTick = true;
            ArmAt(now + _options.StoreRetryDelay);
            throw;
        }
        LogConfigChanged(logger, _slug, change.ChangedBy, _job.Version);
        _definition = DefinitionOf(_job);
        _schedule = JobSchedules.Parse(_job, now, variables, out var error);
        _invalidReason = error ?? _definitionProblem;
        _planner.Changed(_job, _schedule, update.ResetLastScheduledFor);
        DisposeTimer();
        await PlanAsync();
        return Snapshot();
    }

    /// <summary><c>job.enable</c> / <c>job.disable</c> for a change of <c>isEnabled</c> alone, else <c>job.update</c>.</summary>
    private static string AuditActionOf(JobConfigChange change) =>
        change is { Schedule: null, TimeZone: null, TimeoutMs: null, MaxRetries: null, MisfirePolicy: null, After: null, Name: null, Description: null,
            ParametersJson: null, PauseAfterFailures: null, IsEnabled: { } enabled }
            ? enabled ? "job.enable" : "job.disable"
            : "job.update";

    private static void Validate(JobConfigChange change, JobRecord job, DateTimeOffset now, ScheduleVariables variables)
    {
        if (string.IsNullOrWhiteSpace(change.ChangedBy))
        {
            throw Invalid("changedBy", "Who makes the change is required.");
        }
        if (change.PauseAfterFailures is < 0 or > 1000)
        {
            throw Invalid("pauseAfterFailures", "pauseAfterFailures is 1 to 1,000 failed occurrences in a row, or 0 for no circuit breaker.");
        }
        if (change.TimeZone is not null && !CronSchedule.TryFindTimeZone(change.TimeZone, out _))
        {
            throw Invalid("timeZone", $"Unknown time zone '{change.TimeZone}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.");
        }
        var upstreams = change.After ?? job.After;
        if (change.After is { } after && after.FirstOrDefault(u => u is null || !Jobs.JobCatalog.SlugPattern().IsMatch(u.Slug) || !Enum.IsDefined(u.Condition)) is { } bad)
        {
            throw Invalid("after", bad is null ? "after holds an empty entry." : $"'{bad.Slug}' is not a job slug with a known condition (success, failure, completion).");
        }
        if (string.IsNullOrWhiteSpace(change.Schedule ?? job.Schedule))
        {
            // No schedule: the job runs only after its upstreams, so it must keep at least one.
            if (upstreams.Count == 0)
            {
                throw Invalid(change.Schedule is not null ? "schedule" : "after", "A job with no schedule runs only after other jobs: give it a schedule, or at least one job in after.");
            }
        }
        else if (change.Schedule is not null || change.TimeZone is not null)
        {
            // A new schedule comes from the caller; a new zone alone keeps the schedule, and with it the schedule's origin.
            var (schedule, origin) = change.Schedule is { } sent ? (sent, ScheduleOrigin.Api) : (job.Schedule, job.ScheduleOrigin);
            if (!CronSchedule.TryParse(schedule, change.TimeZone ?? job.TimeZone, now, variables, origin, out _, out var error))
            {
                throw Invalid(change.Schedule is not null ? "schedule" : "timeZone", error!);
            }
        }
        ValidateLimits(change.TimeoutMs, change.MaxRetries, change.MisfirePolicy);
        if (change.Name is not null)
        {
            ValidateText("name", change.Name, MaxNameLength, required: true);
        }
        ValidateText("description", change.Description, MaxDescriptionLength, required: false);
    }

    private static void ValidateLimits(int? timeoutMs, int? maxRetries, MisfirePolicy? misfirePolicy)
    {
        if (timeoutMs is { } timeout && (timeout <= 0 || timeout > MaxTimeoutMs))
        {
            throw Invalid("timeoutMs", $"timeoutMs must be between 1 and {MaxTimeoutMs} (24 h); got {timeout}.");
        }
        if (maxRetries is { } retries && (retries < 0 || retries > MaxRetriesLimit))
        {
            throw Invalid("maxRetries", $"maxRetries must be between 0 and {MaxRetriesLimit}; got {retries}.");
        }
        if (misfirePolicy is { } policy && !Enum.IsDefined(policy))
        {
            throw Invalid("misfirePolicy", $"Unknown misfire policy {(int)policy}; use run_once, skip or run_all.");
        }
    }

    private static InvalidJobConfigurationException Invalid(string field, string message) => new(message) { Field = field };
}
