using Npgsql;
using Totallator.Grains.Alerts;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

/// <summary>
/// What every <see cref="IAlertStore"/> must do with the job store that writes its events: run against PostgreSQL and in memory.
/// Each test watches its own job with a rule of its own (rules and the planner span the whole database).
/// </summary>
public abstract class AlertStoreContractTests
{
    private static readonly AdminActor Admin = new() { Name = "alice", RequestId = "req-1" };

    protected abstract IJobStore Jobs { get; }
    protected abstract IAlertStore Alerts { get; }

    private static string Slug() => "al" + Guid.NewGuid().ToString("N")[..12];

    private async Task<JobRecord> SeedAsync(string slug, DateTimeOffset? at = null)
    {
        await Jobs.SyncDefinitionsAsync([new CronJobDefinition
        {
            Slug = slug, Name = "Name of " + slug, Schedule = "0 0 * * * *", TimeoutMs = 1000, TimeZone = "UTC",
            Factory = _ => throw new InvalidOperationException("not run in store tests"),
        }], at ?? DateTimeOffset.UtcNow.AddHours(-2), CancellationToken.None);
        return (await Jobs.GetJobAsync(slug, CancellationToken.None))!;
    }

    private static AlertRule Rule(string job, string? name = null, TimeSpan? window = null, params AlertEvent[] events) => new()
    {
        Id = Guid.CreateVersion7(), Name = name ?? job, JobSlug = job,
        Events = (events.Length == 0 ? [AlertEvent.Failed, AlertEvent.TimedOut, AlertEvent.Recovered, AlertEvent.Paused] : events).ToHashSet(),
        Channel = AlertChannel.Webhook, Url = "https://hooks.example/token/" + job, Secret = "s3cret", ExpectSuccessWithin = window,
        RepeatEvery = TimeSpan.FromHours(1), IsEnabled = true, Source = AlertRuleSources.Api,
        // Far enough back that the dead man's switch judges the job from its own creation.
        UpdatedAt = DateTimeOffset.UtcNow.AddHours(-3),
    };

    private async Task<Guid> EndAsync(JobRecord job, ExecutionStatus status, string? error = null)
    {
        var now = DateTimeOffset.UtcNow;
        var claim = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "m:" + Guid.NewGuid(), ScheduledFor = now.AddMilliseconds(-5), StartedAt = now.AddMilliseconds(-5),
            TriggeredBy = TriggerSource.Manual, RetryCount = 0, LeaseOwner = "silo-a", LeaseDuration = TimeSpan.FromMinutes(5), AdvancesSchedule = false,
        };
        Assert.True(await Jobs.TryClaimAsync(claim, CancellationToken.None));
        Assert.True(await Jobs.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = status, CompletedAt = now, DurationMs = 5, ErrorMessage = error, ExitCode = error is null ? 0 : 3,
            Final = true,
        }, CancellationToken.None));
        return claim.ExecutionId;
    }

    private Task<int> PlanAsync() => Alerts.PlanPendingAsync(b => AlertPlanner.Plan(b), 500, CancellationToken.None);

    private async Task<IReadOnlyList<AlertDeliveryView>> DeliveriesAsync(string rule) =>
        (await Alerts.ListDeliveriesAsync(new AlertDeliveryQuery { Rule = rule }, CancellationToken.None)).Reverse().ToList();

    [Fact]
    public async Task FinalFailures_CountAStreak_AreOneAlertThenSilentRepeats_AndTheFirstSuccessRecovers()
    {
        var job = await SeedAsync(Slug());
        await Alerts.SaveRuleAsync(Rule(job.Slug), null, Admin, CancellationToken.None);

        var failed = await EndAsync(job, ExecutionStatus.Failed, "disk full");
        await EndAsync(job, ExecutionStatus.TimedOut);
        Assert.Equal(2, (await Jobs.GetJobAsync(job.Slug, CancellationToken.None))!.FailureStreak);
        Assert.True(await PlanAsync() >= 2);
        var alert = Assert.Single(await DeliveriesAsync(job.Slug));
        Assert.Equal(("alert", "failed", job.Slug, "pending"), (alert.Kind, alert.Event, alert.JobSlug, alert.Status));
        Assert.Contains("failed", alert.Summary, StringComparison.Ordinal);
        Assert.Contains("exit code 3: disk full", alert.Summary, StringComparison.Ordinal);

        // A success of a healthy job writes nothing; the first one after failures ends the streak and the incident.
        await EndAsync(job, ExecutionStatus.Succeeded);
        Assert.Equal(0, (await Jobs.GetJobAsync(job.Slug, CancellationToken.None))!.FailureStreak);
        await PlanAsync();
        await EndAsync(job, ExecutionStatus.Succeeded);
        await PlanAsync();
        var all = await DeliveriesAsync(job.Slug);
        Assert.Equal(["alert", "recovered"], all.Select(d => d.Kind));
        Assert.Contains("succeeded after 2 failed occurrences", all[1].Summary, StringComparison.Ordinal);
        Assert.DoesNotContain(all, d => d.Summary!.Contains("s3cret", StringComparison.Ordinal));
        Assert.NotEqual(Guid.Empty, failed);
    }

    [Fact]
    public async Task AnAbandonedAttemptAndAMissedOccurrence_AreEventsToo_AndOnlyTheAbandonedOneCountsInTheStreak()
    {
        var job = await SeedAsync(Slug());
        await Alerts.SaveRuleAsync(Rule(job.Slug, events: [AlertEvent.Abandoned, AlertEvent.Missed]), null, Admin, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        var claim = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "m:" + Guid.NewGuid(), ScheduledFor = now, StartedAt = now,
            TriggeredBy = TriggerSource.Manual, RetryCount = 0, LeaseOwner = "silo-a", LeaseDuration = TimeSpan.FromMilliseconds(1), AdvancesSchedule = false,
        };
        Assert.True(await Jobs.TryClaimAsync(claim, CancellationToken.None));
        await Task.Delay(50);
        Assert.True(await Jobs.AbandonExpiredAsync(CancellationToken.None) >= 1);
        Assert.True(await Jobs.RecordUnrunAsync([new UnrunOccurrence
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = "s:missed", ScheduledFor = now.AddHours(-1),
            Status = ExecutionStatus.Missed, Reason = "the cluster was down", RecordedAt = now, AdvancesSchedule = false,
        }], CancellationToken.None));

        Assert.Equal(1, (await Jobs.GetJobAsync(job.Slug, CancellationToken.None))!.FailureStreak);
        await PlanAsync();
        // One incident of the rule: the first event is the message, the second is counted in it.
        var alert = Assert.Single(await DeliveriesAsync(job.Slug));
        Assert.Equal(("alert", "abandoned"), (alert.Kind, alert.Event));
        Assert.Contains("was abandoned", alert.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADeliveryIsTakenUnderALease_RecordedOnlyByItsHolder_AndRetriedUntilSent()
    {
        var job = await SeedAsync(Slug());
        await Alerts.SaveRuleAsync(Rule(job.Slug), null, Admin, CancellationToken.None);
        await EndAsync(job, ExecutionStatus.Failed);
        await PlanAsync();
        var id = Assert.Single(await DeliveriesAsync(job.Slug)).Id;

        var taken = Assert.Single(await Alerts.TakeDueDeliveriesAsync("silo-a", TimeSpan.FromMinutes(1), 500, CancellationToken.None), d => d.Id == id);
        Assert.Equal(("https://hooks.example/token/" + job.Slug, "s3cret", 0), (taken.Url, taken.Secret, taken.Attempts));
        Assert.DoesNotContain(await Alerts.TakeDueDeliveriesAsync("silo-b", TimeSpan.FromMinutes(1), 500, CancellationToken.None), d => d.Id == id);

        // silo-a's attempt fails; due again at once (a past next attempt), silo-b takes it, and a's late word is refused.
        Assert.True(await Alerts.RecordAttemptAsync(new DeliveryAttempt
        {
            Id = id, SentBy = "silo-a", At = DateTimeOffset.UtcNow, Delivered = false, ResponseCode = 503, Error = "HTTP 503 Service Unavailable",
            NextAttemptAt = DateTimeOffset.UtcNow.AddSeconds(-1),
        }, CancellationToken.None));
        var retry = Assert.Single(await Alerts.TakeDueDeliveriesAsync("silo-b", TimeSpan.FromMinutes(1), 500, CancellationToken.None), d => d.Id == id);
        Assert.Equal(1, retry.Attempts);
        Assert.False(await Alerts.RecordAttemptAsync(new DeliveryAttempt { Id = id, SentBy = "silo-a", At = DateTimeOffset.UtcNow, Delivered = true }, CancellationToken.None));
        Assert.True(await Alerts.RecordAttemptAsync(new DeliveryAttempt { Id = id, SentBy = "silo-b", At = DateTimeOffset.UtcNow, Delivered = true, ResponseCode = 204 }, CancellationToken.None));

        var sent = Assert.Single(await DeliveriesAsync(job.Slug));
        Assert.Equal(("sent", 2, 204), (sent.Status, sent.Attempts, sent.LastResponseCode));
        Assert.NotNull(sent.SentAt);
        Assert.DoesNotContain(await Alerts.TakeDueDeliveriesAsync("silo-c", TimeSpan.FromMinutes(1), 500, CancellationToken.None), d => d.Id == id);
    }

    [Fact]
    public async Task AGivenUpDelivery_StaysInTheLog()
    {
        var job = await SeedAsync(Slug());
        await Alerts.SaveRuleAsync(Rule(job.Slug), null, Admin, CancellationToken.None);
        await EndAsync(job, ExecutionStatus.Failed);
        await PlanAsync();
        var id = Assert.Single(await DeliveriesAsync(job.Slug)).Id;
        Assert.Single(await Alerts.TakeDueDeliveriesAsync("silo-a", TimeSpan.FromMinutes(1), 500, CancellationToken.None), d => d.Id == id);
        Assert.True(await Alerts.RecordAttemptAsync(new DeliveryAttempt
        {
            Id = id, SentBy = "silo-a", At = DateTimeOffset.UtcNow, Delivered = false, Error = "ConnectionError: Connection refused\0 \ud800",
        }, CancellationToken.None));

        var given = Assert.Single(await Alerts.ListDeliveriesAsync(new AlertDeliveryQuery { Rule = job.Slug, Status = "given_up" }, CancellationToken.None));
        Assert.StartsWith("ConnectionError: Connection refused", given.LastError, StringComparison.Ordinal);
        Assert.Null(given.NextAttemptAt);
    }

    [Fact]
    public async Task TheBreakersPause_IsAnEvent_ToldEvenThoughTheJobIsNowDisabled_AndEnablingClearsIt()
    {
        var job = await SeedAsync(Slug());
        await Jobs.UpdateJobAsync(job.Slug, new JobUpdate { PauseAfterFailures = 2, ChangedBy = "alice" }, DateTimeOffset.UtcNow, CancellationToken.None);
        await Alerts.SaveRuleAsync(Rule(job.Slug), null, Admin, CancellationToken.None);
        await EndAsync(job, ExecutionStatus.Failed);
        await EndAsync(job, ExecutionStatus.Failed);

        var paused = await Jobs.UpdateJobAsync(job.Slug, new JobUpdate
        {
            IsEnabled = false, PausedReason = "2 failed occurrences in a row", ChangedBy = "system", AuditAction = "job.breaker-open",
        }, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal((false, "2 failed occurrences in a row", 2, 2), (paused.IsEnabled, paused.PausedReason, paused.FailureStreak, paused.PauseAfterFailures));
        await PlanAsync();
        Assert.Equal(["alert", "paused"], (await DeliveriesAsync(job.Slug)).Select(d => d.Kind));

        var resumed = await Jobs.UpdateJobAsync(job.Slug, new JobUpdate { IsEnabled = true, ChangedBy = "bob" }, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal((true, null, 0, 2), (resumed.IsEnabled, resumed.PausedReason, resumed.FailureStreak, resumed.PauseAfterFailures));
        var off = await Jobs.UpdateJobAsync(job.Slug, new JobUpdate { PauseAfterFailures = 0, ChangedBy = "bob" }, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Null(off.PauseAfterFailures);
    }

    [Fact]
    public async Task TheDeadMansSwitch_CallsAJobStale_OnceUntilItsReminder_AndItsSuccessRecovers()
    {
        var job = await SeedAsync(Slug(), DateTimeOffset.UtcNow.AddHours(-2));
        var rule = Rule(job.Slug, window: TimeSpan.FromMinutes(30), events: [AlertEvent.Stale, AlertEvent.Recovered]);
        await Alerts.SaveRuleAsync(rule, null, Admin, CancellationToken.None);

        Assert.True(await Alerts.CheckFreshnessAsync(CancellationToken.None) >= 1);
        // Not again while its event waits, nor once planned (the incident is open and its reminder an hour away).
        Assert.Equal(0, await Alerts.CheckFreshnessAsync(CancellationToken.None) - await OthersStaleAsync());
        await PlanAsync();
        await Alerts.CheckFreshnessAsync(CancellationToken.None);
        await PlanAsync();
        var stale = Assert.Single(await DeliveriesAsync(job.Slug));
        Assert.Equal(("alert", "stale"), (stale.Kind, stale.Event));
        Assert.Contains("has not succeeded within 30 min (no success on record in the window)", stale.Summary, StringComparison.Ordinal);

        await EndAsync(job, ExecutionStatus.Succeeded);
        await Alerts.CheckFreshnessAsync(CancellationToken.None);
        await PlanAsync();
        Assert.Equal(["alert", "recovered"], (await DeliveriesAsync(job.Slug)).Select(d => d.Kind));
        await Alerts.CheckFreshnessAsync(CancellationToken.None);
        await PlanAsync();
        Assert.Equal(2, (await DeliveriesAsync(job.Slug)).Count);
    }

    // Only this test's rule watches staleness: a second check writes nothing for any job.
    private static Task<int> OthersStaleAsync() => Task.FromResult(0);

    [Fact]
    public async Task Rules_AreMadeChangedAndDeleted_UnderVersions_KeepingUrlAndSecretWhenNoneIsSent()
    {
        var name = Slug();
        var made = await Alerts.SaveRuleAsync(Rule(name), null, Admin, CancellationToken.None);
        var taken = await Assert.ThrowsAsync<JobConflictException>(() => Alerts.SaveRuleAsync(Rule(name), null, Admin, CancellationToken.None));
        Assert.Equal("name", taken.Field);

        var changed = await Alerts.SaveRuleAsync(Rule(name) with { Url = "", Secret = null, RepeatEvery = TimeSpan.FromMinutes(5), UpdatedAt = DateTimeOffset.UtcNow },
            made.Version, Admin, CancellationToken.None);
        Assert.Equal(("https://hooks.example/token/" + name, "s3cret", TimeSpan.FromMinutes(5), made.Version + 1), (changed.Url, changed.Secret, changed.RepeatEvery, changed.Version));
        await Assert.ThrowsAsync<AlertRuleConflictException>(() => Alerts.SaveRuleAsync(Rule(name), made.Version, Admin, CancellationToken.None));
        var noSecret = await Alerts.SaveRuleAsync(Rule(name) with { Url = "", Secret = "" }, changed.Version, Admin, CancellationToken.None);
        Assert.Null(noSecret.Secret);
        await Assert.ThrowsAsync<AlertRuleNotFoundException>(() => Alerts.SaveRuleAsync(Rule("nope-" + name), 0, Admin, CancellationToken.None));

        Assert.True(await Alerts.DeleteRuleAsync(name, Admin, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.False(await Alerts.DeleteRuleAsync(name, Admin, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.DoesNotContain(await Alerts.ListRulesAsync(CancellationToken.None), r => r.Name == name);
    }

    [Fact]
    public async Task RulesOfConfiguration_FollowIt_AndCannotTakeTheNameOfARuleMadeInThePages_NorBeChangedThere()
    {
        var (kept, gone, pages) = (Slug(), Slug(), Slug());
        await Alerts.SaveRuleAsync(Rule(pages), null, Admin, CancellationToken.None);
        var configured = (string n) => Rule(n) with { Source = AlertRuleSources.Configuration };
        var others = (await Alerts.ListRulesAsync(CancellationToken.None)).Where(r => r.Source == AlertRuleSources.Configuration).ToList();

        await Alerts.SyncConfiguredRulesAsync([.. others, configured(kept), configured(gone)], DateTimeOffset.UtcNow, CancellationToken.None);
        await Alerts.SyncConfiguredRulesAsync([.. others, configured(kept) with { RepeatEvery = TimeSpan.FromMinutes(7) }], DateTimeOffset.UtcNow, CancellationToken.None);

        var rules = await Alerts.ListRulesAsync(CancellationToken.None);
        Assert.Equal((AlertRuleSources.Configuration, TimeSpan.FromMinutes(7)), rules.Where(r => r.Name == kept).Select(r => (r.Source, r.RepeatEvery)).Single());
        Assert.DoesNotContain(rules, r => r.Name == gone);
        var clash = await Assert.ThrowsAsync<InvalidOperationException>(() => Alerts.SyncConfiguredRulesAsync([configured(pages)], DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Contains(pages, clash.Message, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<InvalidAdminInputException>(() => Alerts.SaveRuleAsync(Rule(kept), 1, Admin, CancellationToken.None));
        Assert.Contains("comes from configuration", refused.Message, StringComparison.Ordinal);
        Assert.False(await Alerts.DeleteRuleAsync(kept, Admin, DateTimeOffset.UtcNow, CancellationToken.None));
    }
}

[Trait("Category", "Postgres")]
public sealed class PostgresAlertStoreTests : AlertStoreContractTests, IClassFixture<MigratedDatabase>, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    public PostgresAlertStoreTests(MigratedDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        Jobs = new PostgresJobStore(_dataSource);
        Alerts = new PostgresAlertStore(_dataSource);
    }

    protected override IJobStore Jobs { get; }
    protected override IAlertStore Alerts { get; }

    public void Dispose() => _dataSource.Dispose();
}

[Trait("Category", "Unit")]
public sealed class InMemoryAlertStoreTests : AlertStoreContractTests
{
    private readonly InMemoryJobStore _memory = new(TimeProvider.System);

    protected override IJobStore Jobs => _memory;
    protected override IAlertStore Alerts => _memory;
}
