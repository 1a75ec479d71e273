using Totallator.Grains.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.JobTypes;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.JobGrain;

/// <summary>
/// Jobs that admins create from job types: created here (the slug is this grain's key), edited through
/// <see cref="UpdateConfigAsync"/> like every job, deleted here. Their definition is built from the type this silo registered
/// and the stored parameters.
/// </summary>
public sealed partial class CronJobGrain
{
    private const int MaxNameLength = 200;
    private const int MaxDescriptionLength = 2000;

    // Why the job has no definition on this silo (a type not registered here, parameters that no longer fit it); null otherwise.
    private string? _definitionProblem;

    public Task<JobSnapshot> CreateAsync(JobCreation creation)
    {
        ArgumentNullException.ThrowIfNull(creation);
        if (_job is { } existing)
        {
            throw NewJob.SlugTaken(existing);
        }
        var now = clock.GetUtcNow();
        var type = ValidateCreation(creation, now);
        return StoreGuard.RunAsync(logger, "creating a job", () => CreateCoreAsync(creation, type, now));
    }

    private async Task<JobSnapshot> CreateCoreAsync(JobCreation creation, CronJobType type, DateTimeOffset now)
    {
        var parameters = Canonical(type, creation.ParametersJson);
        var job = new NewJob
        {
            Slug = _slug, Name = creation.Name.Trim(), Description = creation.Description.Trim(), Schedule = creation.Schedule.Trim(),
            TimeZone = creation.TimeZone, TimeoutMs = creation.TimeoutMs, MaxRetries = creation.MaxRetries, MisfirePolicy = creation.MisfirePolicy,
            IsEnabled = creation.Enabled, JobType = type.Name, ParametersJson = parameters, AuditedParameters = JobParameters.Audited(type, parameters),
            CreatedBy = creation.CreatedBy, RequestId = creation.RequestId,
        };
        try
        {
            await apiJobs.CreateJobAsync(job, now, CancellationToken.None);
        }
        catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
        {
            // It may have committed with its answer lost: the next call reads the store again (this activation holds no job).
            DeactivateOnIdle();
            throw;
        }
        LogCreated(logger, _slug, type.Name, creation.CreatedBy);
        await LoadAsync(CancellationToken.None);
        var created = _job ?? throw NotFound();
        _ = RecordHostAsync(created.Id);
        DisposeTimer();
        await PlanAsync();
        return Snapshot();
    }

    public Task<JobSnapshot> DeleteAsync(JobDeletion deletion)
    {
        ArgumentNullException.ThrowIfNull(deletion);
        var job = _job ?? throw NotFound();
        if (string.IsNullOrWhiteSpace(deletion.DeletedBy))
        {
            throw Invalid("deletedBy", "Who deletes the job is required.");
        }
        ApiJobRules.ThrowIfNotDeletable(job, deletion);
        return StoreGuard.RunAsync(logger, "deleting a job", () => DeleteCoreAsync(job, deletion));
    }

    private async Task<JobSnapshot> DeleteCoreAsync(JobRecord job, JobDeletion deletion)
    {
        var now = clock.GetUtcNow();
        try
        {
            _job = await apiJobs.DeleteJobAsync(_slug, deletion, now, CancellationToken.None) with { Downstreams = job.Downstreams };
        }
        catch (Exception ex) when (StoreGuard.IsStoreFailure(ex))
        {
            // As for an admin change: it may have committed, so read the job again before planning anything more.
            _reloadBeforeTick = true;
            ArmAt(now + _options.StoreRetryDelay);
            throw;
        }
        LogDeleted(logger, _slug, deletion.DeletedBy);
        // Disabled and orphaned now: planning gives back what was claimed ahead; a run in progress ends on its own.
        _oneOffs = [];
        ArmOneOffs(null);
        _planner.Changed(_job, _schedule, now);
        DisposeTimer();
        await PlanAsync();
        return Snapshot();
    }

    /// <summary>Why the job cannot run at all (deleted, orphaned, no definition here), for a refused trigger or one-off; null when it can.</summary>
    private string? CannotRunReason(JobRecord job) => job switch
    {
        { DeletedAt: { } at } => $"Job '{_slug}' was deleted {at:u} by {job.DeletedBy}; it cannot run.",
        { IsOrphaned: true } => $"Job '{_slug}' is no longer defined in code or configuration; it cannot run.",
        _ when _definition is null => $"Job '{_slug}' cannot run: {_definitionProblem ?? "the silo hosting it has no definition of it."}",
        _ => null,
    };

    /// <summary>The definition this silo runs the job by: from code or configuration, or built from its job type and parameters.</summary>
    private CronJobDefinition? DefinitionOf(JobRecord? job)
    {
        _definitionProblem = null;
        if (job is not { IsFromApi: true })
        {
            return catalog.Find(_slug);
        }
        if (types.Find(job.JobType!) is not { } type)
        {
            _definitionProblem = $"Job type '{job.JobType}' is not registered on the silo that hosts this job.";
            return null;
        }
        var parameters = job.ParametersJson!;
        if (type.TryRead(parameters, out var errors) is null)
        {
            _definitionProblem = $"Its parameters no longer fit job type '{type.Name}': "
                + CronJobType.Describe(errors) + ". Edit them to run it again.";
            return null;
        }
        // Read for each attempt: an attempt that changes its parameters object leaves the next one unaffected.
        return new CronJobDefinition
        {
            Slug = job.Slug, Name = job.Name, Description = job.Description, Schedule = job.Schedule, Source = JobSources.Api,
            Factory = services => type.Factory(services, type.Read(parameters)),
        };
    }

    private CronJobType ValidateCreation(JobCreation creation, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(creation.CreatedBy))
        {
            throw Invalid("createdBy", "Who creates the job is required.");
        }
        if (!JobCatalog.SlugPattern().IsMatch(_slug))
        {
            throw Invalid("slug", "slug must be 1-63 lower-case letters, digits and dashes, starting with a letter or digit.");
        }
        var type = types.Find(creation.Type ?? "") ?? throw Invalid("type",
            types.All.Count == 0
                ? "No job types are registered on the cluster (AddCronJobType in the silo's code)."
                : $"Unknown job type '{creation.Type}'; registered: {types.NamesText}.");
        ValidateText("name", creation.Name, MaxNameLength, required: true);
        ValidateText("description", creation.Description, MaxDescriptionLength, required: false);
        if (string.IsNullOrWhiteSpace(creation.Schedule))
        {
            throw Invalid("schedule", "schedule is required: a cron expression such as '0 */5 * * * *'. Add upstream jobs afterwards with after.");
        }
        var zone = creation.TimeZone ?? settings.Current.DefaultTimeZone;
        if (!CronSchedule.TryFindTimeZone(zone, out _))
        {
            throw Invalid("timeZone", $"Unknown time zone '{zone}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.");
        }
        if (!CronSchedule.TryParse(creation.Schedule.Trim(), zone, now, variables, ScheduleOrigin.Api, out _, out var error))
        {
            throw Invalid("schedule", error!);
        }
        ValidateLimits(creation.TimeoutMs, creation.MaxRetries, creation.MisfirePolicy);
        ReadParameters(type, creation.ParametersJson);
        return type;
    }

    /// <summary>Validates parameters against the type; throws naming each field at fault.</summary>
    private static void ReadParameters(CronJobType type, string? json)
    {
        if (json is null)
        {
            throw Invalid("parameters", $"parameters is required: a JSON object that fits job type '{type.Name}'.");
        }
        if (type.TryRead(json, out var errors) is null)
        {
            var (field, messages) = errors.First();
            throw new InvalidJobConfigurationException(string.Join(" ", messages)) { Field = field, Errors = errors };
        }
    }

    /// <summary>The parameters as the type reads them, written back: defaults filled in, the form of the JSON the sender used gone.</summary>
    private static string Canonical(CronJobType type, string json) =>
        System.Text.Json.JsonSerializer.Serialize(type.Read(json), type.ParametersType, CronJobType.ParameterJson);

    private static void ValidateText(string field, string? text, int maxLength, bool required)
    {
        if (required && string.IsNullOrWhiteSpace(text))
        {
            throw Invalid(field, $"{field} is required.");
        }
        if (text is not null && (text.Length > maxLength || !TextSanitizer.IsStorable(text) || text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))))
        {
            throw Invalid(field, $"{field} may have at most {maxLength} characters, and no NUL, control or broken characters.");
        }
    }
}
