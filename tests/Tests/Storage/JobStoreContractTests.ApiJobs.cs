using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.JobTypes;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// Jobs created from job types (0011_api_jobs.sql): created and deleted with their audit rows, never orphaned by a sync, their
/// slug never taken over by a definition; and instants that carry a zone's offset, which every job in a zone hands the store.
/// </summary>
public abstract partial class JobStoreContractTests
{
    private IApiJobStore ApiJobs => (IApiJobStore)Dependencies;

    private static NewJob NewApiJob(string slug, string? name = null) => new()
    {
        Slug = slug, Name = name ?? "Typed " + slug, Description = "from a type", Schedule = "0 0 * * *", TimeZone = "Europe/Berlin", IsEnabled = true,
        JobType = "report", ParametersJson = """{"days":7,"token":"secret"}""", AuditedParameters = """{"days":7,"token":"(secret)"}""", CreatedBy = "alice",
    };

    [Fact]
    public async Task Claim_OfAnInstantInAZonesOffset_IsStoredAsThatInstant()
    {
        // Found by the first job created in Europe/Berlin on PostgreSQL: Npgsql refused the instant Cronos gave (+01:00), so no
        // job in a zone off UTC ever ran there.
        var job = await SeedAsync(Slug());
        var berlin = new DateTimeOffset(2026, 11, 26, 13, 1, 0, TimeSpan.FromHours(1));
        var claim = Claim(job, "s:berlin") with { ScheduledFor = berlin, StartedAt = berlin };
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        var row = Assert.Single(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
        Assert.Equal(berlin, row.ScheduledFor);
        Assert.Equal(berlin, row.StartedAt);
    }

    [Fact]
    public async Task ApiJob_IsCreatedWithDefaultsAndType_AndNoSyncOrphansIt()
    {
        var slug = Slug();
        var job = await ApiJobs.CreateJobAsync(NewApiJob(slug) with { TimeoutMs = null, MaxRetries = null, MisfirePolicy = null }, T0, CancellationToken.None);
        Assert.Equal((JobSources.Api, "report", "Europe/Berlin", true, false), (job.Source, job.JobType, job.TimeZone, job.IsEnabled, job.IsOrphaned));
        Assert.Equal("""{"days":7,"token":"secret"}""", job.ParametersJson!.Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal((60_000, 0, MisfirePolicy.RunOnce), (job.TimeoutMs, job.MaxRetries, job.MisfirePolicy));
        Assert.Equal(("alice", T0), (job.CreatedBy, job.LastScheduledFor));
        Assert.Equal(Grains.Scheduling.ScheduleOrigin.Api, job.ScheduleOrigin);

        await Store.SyncDefinitionsAsync([Definition(Slug())], T0.AddMinutes(1), CancellationToken.None);
        var after = (await Store.GetJobAsync(slug, CancellationToken.None))!;
        Assert.False(after.IsOrphaned);
        Assert.Equal(job.Version, after.Version);
    }

    [Fact]
    public async Task ApiJob_ATakenSlugOrName_IsAConflictNamingIt_AndNothingIsStored()
    {
        var code = await SeedAsync(Slug());
        var slugTaken = await Assert.ThrowsAsync<JobConflictException>(() => ApiJobs.CreateJobAsync(NewApiJob(code.Slug), T0, CancellationToken.None));
        Assert.Equal("slug", slugTaken.Field);
        Assert.Contains("defined in code", slugTaken.Message, StringComparison.Ordinal);
        Assert.Equal(code.Version, (await Store.GetJobAsync(code.Slug, CancellationToken.None))!.Version);

        var fresh = Slug();
        var nameTaken = await Assert.ThrowsAsync<JobConflictException>(() => ApiJobs.CreateJobAsync(NewApiJob(fresh, code.Name), T0, CancellationToken.None));
        Assert.Equal("name", nameTaken.Field);
        Assert.Null(await Store.GetJobAsync(fresh, CancellationToken.None));
    }

    [Fact]
    public async Task Sync_RefusesADefinitionWhoseSlugAnAdminsJobHolds()
    {
        var slug = Slug();
        await ApiJobs.CreateJobAsync(NewApiJob(slug), T0, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => Store.SyncDefinitionsAsync([Definition(slug)], T0.AddMinutes(1), CancellationToken.None));
        Assert.Contains($"Job '{slug}' is defined in code", refused.Message, StringComparison.Ordinal);
        Assert.Contains("job type 'report'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(JobSources.Api, (await Store.GetJobAsync(slug, CancellationToken.None))!.Source);
    }

    [Fact]
    public async Task ApiJob_EditsNameAndParameters_ButNotIntoATakenName()
    {
        var slug = Slug();
        var other = await ApiJobs.CreateJobAsync(NewApiJob(Slug()), T0, CancellationToken.None);
        await ApiJobs.CreateJobAsync(NewApiJob(slug), T0, CancellationToken.None);
        var edited = await Store.UpdateJobAsync(slug, new JobUpdate
        {
            Name = "Weekly report", ParametersJson = """{"days":30,"token":"secret"}""", AuditedParameters = ("""{"days":7}""", """{"days":30}"""),
            ChangedBy = "bob",
        }, T0.AddMinutes(1), CancellationToken.None);
        Assert.Equal(("Weekly report", 1), (edited.Name, edited.Version));
        Assert.Contains("30", edited.ParametersJson, StringComparison.Ordinal);
        Assert.Empty(edited.OverriddenFields);
        var taken = await Assert.ThrowsAsync<JobConflictException>(() => Store.UpdateJobAsync(slug, new JobUpdate { Name = other.Name, ChangedBy = "bob" },
            T0.AddMinutes(2), CancellationToken.None));
        Assert.Equal("name", taken.Field);
        Assert.Equal(("Weekly report", 1), ((await Store.GetJobAsync(slug, CancellationToken.None))!.Name, (await Store.GetJobAsync(slug, CancellationToken.None))!.Version));
    }

    [Fact]
    public async Task ApiJob_DeleteIsSoft_CancelsPendingOneOffs_FreesTheName_AndOnlyAnAdminsJobCanGo()
    {
        var slug = Slug();
        var job = await ApiJobs.CreateJobAsync(NewApiJob(slug), T0, CancellationToken.None);
        var run = new OneOffRun { Id = Guid.CreateVersion7(), JobSlug = slug, RunAt = T0.AddHours(1), TimeZone = "UTC", CreatedAt = T0, CreatedBy = "alice" };
        await OneOffs.AddOneOffAsync(job.Id, run, AuditFor(job, "job.schedule-run"), CancellationToken.None);
        Assert.True(await Store.TryClaimAsync(Claim(job, "s:before"), CancellationToken.None));

        await Assert.ThrowsAsync<JobVersionConflictException>(() => ApiJobs.DeleteJobAsync(slug, new JobDeletion { ExpectedVersion = 5, DeletedBy = "bob" }, T0, CancellationToken.None));
        var deleted = await ApiJobs.DeleteJobAsync(slug, new JobDeletion { ExpectedVersion = job.Version, DeletedBy = "bob" }, T0.AddMinutes(1), CancellationToken.None);
        Assert.Equal((false, true, T0.AddMinutes(1), "bob"), (deleted.IsEnabled, deleted.IsOrphaned, deleted.DeletedAt, deleted.DeletedBy));
        Assert.Single(await Store.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
        Assert.Equal("cancelled", Assert.Single(await OneOffs.GetOneOffsAsync(job.Id, slug, pendingOnly: false, 10, CancellationToken.None)).State);
        var again = await Assert.ThrowsAsync<JobConflictException>(() => ApiJobs.DeleteJobAsync(slug, new JobDeletion { DeletedBy = "bob" }, T0, CancellationToken.None));
        Assert.Contains("already deleted", again.Message, StringComparison.Ordinal);
        // The slug stays its; the name is free.
        var reuse = await Assert.ThrowsAsync<JobConflictException>(() => ApiJobs.CreateJobAsync(NewApiJob(slug, "Another name"), T0, CancellationToken.None));
        Assert.Contains("deleted", reuse.Message, StringComparison.Ordinal);
        await ApiJobs.CreateJobAsync(NewApiJob(Slug(), job.Name), T0, CancellationToken.None);
        // A sync after the deletion leaves it deleted.
        await Store.SyncDefinitionsAsync([Definition(Slug())], T0.AddMinutes(2), CancellationToken.None);
        Assert.Equal(deleted.Version, (await Store.GetJobAsync(slug, CancellationToken.None))!.Version);

        var code = await SeedAsync(Slug());
        var refused = await Assert.ThrowsAsync<JobConflictException>(() => ApiJobs.DeleteJobAsync(code.Slug, new JobDeletion { DeletedBy = "bob" }, T0, CancellationToken.None));
        Assert.Contains("defined in code", refused.Message, StringComparison.Ordinal);
        Assert.False((await Store.GetJobAsync(code.Slug, CancellationToken.None))!.IsOrphaned);
        await Assert.ThrowsAsync<CronJobNotFoundException>(() => ApiJobs.DeleteJobAsync(Slug(), new JobDeletion { DeletedBy = "bob" }, T0, CancellationToken.None));
    }
}
