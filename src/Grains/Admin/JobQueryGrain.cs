using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Totallator.Grains.Dependencies;
using Totallator.Grains.Hosting;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;

namespace Totallator.Grains.Admin;

/// <summary>
/// The admin read side. A stateless worker: every silo answers locally from the store, and no job grain is woken to list jobs.
/// Statistics for all jobs come from one statement (<see cref="IAdminStore.GetStatisticsAsync"/>).
/// </summary>
[StatelessWorker]
public sealed class JobQueryGrain(IJobStore jobs, IAdminStore admin, IDependencyStore dependencies, OneOff.IOneOffStore oneOffs, JobTypes.JobTypeCatalog types,
    SchedulerSettingsCache settings, TimeProvider timeProvider,
    ScheduleVariables variables, ILogger<JobQueryGrain> logger) : Grain, IJobQueryGrain
{
    public Task<JobListPage> ListJobsAsync(JobListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        JobListInput.Check(query);
        return StoreGuard.RunAsync(logger, "listing jobs", async () =>
        {
            var now = timeProvider.GetUtcNow();
            var page = await admin.ListJobPageAsync(query, now, CancellationToken.None);
            // Read the pause fresh: an admin who just paused must see it here, not this silo's cache up to a refresh later.
            var paused = (await settings.RefreshAsync(CancellationToken.None)).SchedulingPaused;
            var graph = DependencyViewsBuilder.FromJobsAnd(page.Rows.Select(r => r.Job), page.Neighbours);
            var items = page.Rows.Select(r => JobViews.Build(r.Job, JobListInput.Statistics(r, now), paused, now, variables, graph, types: types)).ToList();
            return new JobListPage { Items = items, Total = page.Total, Offset = query.Offset, Limit = query.Limit };
        });
    }

    public Task<JobView> GetJobAsync(string slug) => StoreGuard.RunAsync(logger, "reading a job", async () =>
    {
        var now = timeProvider.GetUtcNow();
        var job = await FindAsync(slug);
        var statistics = await admin.GetStatisticsAsync(job.Id, now, CancellationToken.None);
        var paused = (await settings.RefreshAsync(CancellationToken.None)).SchedulingPaused;
        var graph = new DependencyViewsBuilder(await dependencies.GetDependencyGraphAsync(CancellationToken.None));
        var signalled = job.After.Count == 0 ? null
            : (await dependencies.GetPendingSignalsAsync(job.Id, CancellationToken.None)).Select(r => r.UpstreamSlug).ToHashSet(StringComparer.Ordinal);
        return JobViews.Build(job, statistics.GetValueOrDefault(job.Id), paused, now, variables, graph, signalled, types);
    });

    public Task<ExecutionPage> GetExecutionsAsync(ExecutionQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        AdminInput.Page(query.Offset, query.Limit);
        return StoreGuard.RunAsync(logger, "reading executions", async () =>
        {
            var job = await FindAsync(query.Slug);
            return await admin.GetExecutionPageAsync(job.Id, job.Slug, query, CancellationToken.None);
        });
    }

    public async Task<JobView> UpdateJobAsync(string slug, JobConfigChange change)
    {
        await GrainFactory.GetGrain<ICronJobGrain>(slug).UpdateConfigAsync(change);
        return await GetJobAsync(slug);
    }

    public async Task<JobView> CreateJobAsync(string slug, JobCreation creation)
    {
        await GrainFactory.GetGrain<ICronJobGrain>(slug).CreateAsync(creation);
        return await GetJobAsync(slug);
    }

    public async Task<JobView> DeleteJobAsync(string slug, JobDeletion deletion)
    {
        await GrainFactory.GetGrain<ICronJobGrain>(slug).DeleteAsync(deletion);
        return await GetJobAsync(slug);
    }

    public async Task<CancelOutcome> CancelExecutionAsync(Guid executionId, string userId, string? requestId)
    {
        if (await GetExecutionAsync(executionId) is not { } execution)
        {
            return new CancelOutcome { Found = false };
        }
        var status = execution.Summary.Status;
        return new CancelOutcome
        {
            Found = true, Status = status,
            Requested = status.IsActive() && await GrainFactory.GetGrain<ICronJobGrain>(execution.Summary.JobSlug).CancelAsync(executionId, userId, requestId),
        };
    }

    public Task<ExecutionDetails?> GetExecutionAsync(Guid executionId) =>
        StoreGuard.RunAsync(logger, "reading an execution", () => admin.GetExecutionDetailsAsync(executionId, CancellationToken.None));

    public Task<Activity> GetActivityAsync(DateTimeOffset? endedSince, int limit)
    {
        AdminInput.Range(limit, 1, 500, "limit");
        return StoreGuard.RunAsync(logger, "reading activity", () => admin.GetActivityAsync(endedSince, limit, CancellationToken.None));
    }

    public Task<AuditPage> GetAuditAsync(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        AdminInput.Page(query.Offset, query.Limit);
        return StoreGuard.RunAsync(logger, "reading the audit trail", () => admin.GetAuditPageAsync(query, CancellationToken.None));
    }

    public Task<SchedulePreview> PreviewScheduleAsync(string schedule, string timeZone, int count)
    {
        AdminInput.Range(count, 1, 100, "count");
        var now = timeProvider.GetUtcNow();
        if (!CronSchedule.TryFindTimeZone(timeZone, out _))
        {
            return Task.FromResult(Refused($"Unknown time zone '{timeZone}'. Use an IANA id such as 'UTC' or 'Europe/Berlin'.", "timeZone"));
        }
        // The caller wrote this schedule: it may read only the allowed variables, as an admin's edit may.
        if (!CronSchedule.TryParse(schedule ?? "", timeZone, now, variables, ScheduleOrigin.Api, out var parsed, out var error))
        {
            return Task.FromResult(Refused(error!, "schedule"));
        }
        return Task.FromResult(new SchedulePreview
        {
            IsValid = true, ResolvedSchedule = parsed!.ResolvedExpression, NextFireTimes = JobViews.InZone(parsed.NextN(now, count), parsed.TimeZone),
        });
    }

    public Task<OneOffRun> ScheduleRunAsync(string slug, OneOffRequest request) => GrainFactory.GetGrain<ICronJobGrain>(slug).ScheduleRunAsync(request);

    public Task<IReadOnlyList<OneOffRun>> GetOneOffsAsync(string slug, bool all) => StoreGuard.RunAsync(logger, "reading one-off runs", async () =>
    {
        var job = await FindAsync(slug);
        return await oneOffs.GetOneOffsAsync(job.Id, job.Slug, pendingOnly: !all, 100, CancellationToken.None);
    });

    public Task<OneOffCancel> CancelOneOffAsync(string slug, Guid oneOffId, string userId, string? requestId) =>
        StoreGuard.RunAsync(logger, "cancelling a one-off run", async () =>
        {
            var job = await FindAsync(slug);
            var now = timeProvider.GetUtcNow();
            return await oneOffs.CancelOneOffAsync(job.Id, oneOffId, userId, now, new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = now, Actor = userId, Action = "job.cancel-run", JobSlug = job.Slug, Target = oneOffId.ToString(),
                RequestId = requestId,
            }, CancellationToken.None);
        });

    public Task<IReadOnlyList<JobTypeView>> ListJobTypesAsync() => Task.FromResult<IReadOnlyList<JobTypeView>>(types.All
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .Select(t => new JobTypeView { Name = t.Name, DisplayName = t.DisplayName, Description = t.Description, ParametersSchemaJson = t.ParametersSchemaJson })
        .ToList());

    public Task CheckStoreAsync() => StoreGuard.RunAsync(logger, "checking the database", () => admin.PingAsync(CancellationToken.None));

    private static SchedulePreview Refused(string error, string field) =>
        new() { IsValid = false, Error = error, ErrorField = field, NextFireTimes = [] };

    private async Task<JobRecord> FindAsync(string slug) =>
        await jobs.GetJobAsync(slug ?? "", CancellationToken.None) ?? throw new CronJobNotFoundException($"No job with slug '{slug}'.");
}
