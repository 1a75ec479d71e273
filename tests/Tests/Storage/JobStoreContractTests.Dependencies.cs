using Totallator.Grains.Dependencies;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Storage;

namespace Totallator.Tests.Storage;

/// <summary>
/// Job dependencies (0009_dependencies.sql): a final attempt's end signals its downstream jobs by condition, once per upstream
/// occurrence; a dependency run's claim consumes all its signals or none, and asked again after a lost answer is its own.
/// </summary>
public abstract partial class JobStoreContractTests
{
    protected abstract IDependencyStore Dependencies { get; }

    /// <summary>An upstream and downstream jobs (one per condition given), synced together.</summary>
    private async Task<(JobRecord Up, JobRecord[] Downs)> SeedChainAsync(params string[] conditions)
    {
        var up = Slug();
        var downs = conditions.Select(c => (Slug: Slug(), Condition: c)).ToList();
        await Store.SyncDefinitionsAsync(
        [
            Definition(up),
            .. downs.Select(d => Definition(d.Slug, schedule: "") with { After = UpstreamList.Parse(d.Slug, [$"{up}:{d.Condition}"]) }),
        ], T0, CancellationToken.None);
        var records = new List<JobRecord>();
        foreach (var d in downs)
        {
            records.Add((await Store.GetJobAsync(d.Slug, CancellationToken.None))!);
        }
        return ((await Store.GetJobAsync(up, CancellationToken.None))!, [.. records]);
    }

    private async Task<ExecutionClaim> EndAsync(JobRecord job, string key, ExecutionStatus status, bool final, int retry = 0)
    {
        var claim = Claim(job, key, retry, advances: false);
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = status, CompletedAt = T0.AddMinutes(2), Final = final,
        }, CancellationToken.None));
        return claim;
    }

    private static DependencyClaim DependencyClaimOf(JobRecord job, FanInDecision decision, string owner = "silo-a", ExecutionStatus? endsAs = null) => new()
    {
        Claim = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = decision.OccurrenceKey, ScheduledFor = T0.AddMinutes(3),
            StartedAt = null, TriggeredBy = TriggerSource.Dependency, RetryCount = 0, LeaseOwner = owner, LeaseDuration = TimeSpan.FromMinutes(5),
            AdvancesSchedule = false, StatusReason = endsAs is null ? "after upstream" : "not run: the job is disabled",
        },
        UpstreamExecutionIds = decision.Signalling.Select(r => r.UpstreamExecutionId).ToList(),
        Consumes = decision.Consumed.Select(r => r.Id).ToList(),
        EndsAs = endsAs,
    };

    [Fact]
    public async Task FinalEnd_SignalsTheDownstreamsWhoseConditionItMeets_OncePerOccurrence()
    {
        var (up, downs) = await SeedChainAsync("success", "failure", "completion");
        var (onSuccess, onFailure, onCompletion) = (downs[0], downs[1], downs[2]);

        // A failed attempt that a retry follows signals nothing; the retry's success is the occurrence's outcome.
        await EndAsync(up, "m:1", ExecutionStatus.Failed, final: false);
        Assert.Empty(await Dependencies.GetPendingSignalsAsync(onFailure.Id, CancellationToken.None));
        var final = await EndAsync(up, "m:1", ExecutionStatus.Succeeded, final: true, retry: 1);

        var signalled = Assert.Single(await Dependencies.GetPendingSignalsAsync(onSuccess.Id, CancellationToken.None));
        Assert.Equal((up.Slug, "m:1", final.ExecutionId, ExecutionStatus.Succeeded), (signalled.UpstreamSlug, signalled.UpstreamOccurrenceKey, signalled.UpstreamExecutionId, signalled.UpstreamStatus));
        Assert.Single(await Dependencies.GetPendingSignalsAsync(onCompletion.Id, CancellationToken.None));
        Assert.Empty(await Dependencies.GetPendingSignalsAsync(onFailure.Id, CancellationToken.None));

        // Signalled again for the same occurrence (an explicit signal after the end): nothing more.
        await Dependencies.SignalDownstreamAsync(final.ExecutionId, CancellationToken.None);
        Assert.Single(await Dependencies.GetPendingSignalsAsync(onSuccess.Id, CancellationToken.None));

        // A later failed occurrence signalled explicitly (its retry did not happen): on failure and on completion.
        var failed = await EndAsync(up, "m:2", ExecutionStatus.TimedOut, final: false);
        await Dependencies.SignalDownstreamAsync(failed.ExecutionId, CancellationToken.None);
        Assert.Single(await Dependencies.GetPendingSignalsAsync(onFailure.Id, CancellationToken.None));
        Assert.Equal(2, (await Dependencies.GetPendingSignalsAsync(onCompletion.Id, CancellationToken.None)).Count);
        Assert.Equal(new[] { onCompletion.Slug, onFailure.Slug, onSuccess.Slug }.Order(StringComparer.Ordinal), (await Store.LoadJobAsync(up.Slug, "silo-a", TimeSpan.FromMinutes(1), CancellationToken.None)).Job!.Downstreams);
    }

    [Fact]
    public async Task DisabledDownstream_IsNotSignalled()
    {
        var (up, downs) = await SeedChainAsync("success");
        await Store.UpdateJobAsync(downs[0].Slug, new JobUpdate { IsEnabled = false, ChangedBy = "t" }, T0, CancellationToken.None);
        await EndAsync(up, "m:1", ExecutionStatus.Succeeded, final: true);
        Assert.Empty(await Dependencies.GetPendingSignalsAsync(downs[0].Id, CancellationToken.None));
    }

    [Fact]
    public async Task DependencyClaim_ConsumesEverySignalOrNone_AndIsTheClaimantsOwnWhenAskedAgain()
    {
        var (up, downs) = await SeedChainAsync("completion");
        var down = downs[0];
        await EndAsync(up, "m:1", ExecutionStatus.Failed, final: true);
        await EndAsync(up, "m:2", ExecutionStatus.Succeeded, final: true);
        var decision = FanIn.Decide(down.After, await Dependencies.GetPendingSignalsAsync(down.Id, CancellationToken.None));
        Assert.True(decision.Ready);
        Assert.Equal(2, decision.Consumed.Count);

        // A duplicate activation that saw only the first signal loses to the one that consumed both, whichever goes first.
        var partial = DependencyClaimOf(down, decision with { Consumed = [decision.Consumed[0]], Signalling = [decision.Consumed[0]] });
        var full = DependencyClaimOf(down, decision);
        Assert.True(await Dependencies.ClaimDependencyRunAsync(full, CancellationToken.None));
        Assert.False(await Dependencies.ClaimDependencyRunAsync(partial, CancellationToken.None));
        // The claimant asking again after a lost answer: its own row.
        Assert.True(await Dependencies.ClaimDependencyRunAsync(full, CancellationToken.None));

        Assert.Empty(await Dependencies.GetPendingSignalsAsync(down.Id, CancellationToken.None));
        var row = Assert.Single(await Store.GetExecutionsAsync(down.Id, 10, CancellationToken.None));
        Assert.Equal((ExecutionStatus.Claimed, TriggerSource.Dependency, decision.OccurrenceKey), (row.Status, row.TriggeredBy, row.OccurrenceKey));
        Assert.Equal(full.UpstreamExecutionIds, row.UpstreamExecutionIds);
        Assert.StartsWith("d:", row.OccurrenceKey, StringComparison.Ordinal);
    }

    // The fence includes scheduledFor since 0015 (partitioned history), and a dependency run's scheduledFor is when its claimant
    // decided: two activations deciding on the same signals name the same 'd:' key with different instants. What keeps them to
    // one run is the signals (claimed only while all are pending, under a row lock), not the fence (docs/ledger.md).
    [Fact]
    public async Task DependencyClaim_SameKeyAtALaterInstant_InsertsNothing_BecauseItsSignalsAreConsumed()
    {
        var (up, downs) = await SeedChainAsync("success");
        var down = downs[0];
        await EndAsync(up, "m:1", ExecutionStatus.Succeeded, final: true);
        var decision = FanIn.Decide(down.After, await Dependencies.GetPendingSignalsAsync(down.Id, CancellationToken.None));
        var first = DependencyClaimOf(down, decision);
        var later = DependencyClaimOf(down, decision);
        later = later with { Claim = later.Claim with { ScheduledFor = T0.AddMinutes(4) } };
        Assert.Equal(first.Claim.OccurrenceKey, later.Claim.OccurrenceKey);

        Assert.True(await Dependencies.ClaimDependencyRunAsync(first, CancellationToken.None));
        Assert.False(await Dependencies.ClaimDependencyRunAsync(later, CancellationToken.None));
        var row = Assert.Single(await Store.GetExecutionsAsync(down.Id, 10, CancellationToken.None));
        Assert.Equal(first.Claim.ScheduledFor, row.ScheduledFor);
    }

    [Fact]
    public async Task DependencyClaim_EndingAsSkipped_ConsumesTheSignals_WithTheReason()
    {
        var (up, downs) = await SeedChainAsync("success");
        await EndAsync(up, "m:1", ExecutionStatus.Succeeded, final: true);
        var decision = FanIn.Decide(downs[0].After, await Dependencies.GetPendingSignalsAsync(downs[0].Id, CancellationToken.None));
        Assert.True(await Dependencies.ClaimDependencyRunAsync(DependencyClaimOf(downs[0], decision, endsAs: ExecutionStatus.Skipped), CancellationToken.None));

        var row = Assert.Single(await Store.GetExecutionsAsync(downs[0].Id, 10, CancellationToken.None));
        Assert.Equal(ExecutionStatus.Skipped, row.Status);
        Assert.Equal("not run: the job is disabled", row.StatusReason);
        Assert.NotNull(row.CompletedAt);
        Assert.Null(row.StartedAt);
        Assert.Empty(await Dependencies.GetPendingSignalsAsync(downs[0].Id, CancellationToken.None));
    }

    [Fact]
    public async Task DependencyClaim_ByASiloDeclaredDead_IsRefusedAsAStoreFailure()
    {
        var (up, downs) = await SeedChainAsync("success");
        var silo = await LiveSiloAsync();
        await Store.CheckInAsync(silo, CancellationToken.None);
        await EndAsync(up, "m:1", ExecutionStatus.Succeeded, final: true);
        await DeclareDeadAsync(silo);
        await Store.FenceDeadSiloAsync(silo, Window, "dead", CancellationToken.None);
        var decision = FanIn.Decide(downs[0].After, await Dependencies.GetPendingSignalsAsync(downs[0].Id, CancellationToken.None));

        await Assert.ThrowsAsync<Grains.Interfaces.Admin.StoreUnavailableException>(
            () => Dependencies.ClaimDependencyRunAsync(DependencyClaimOf(downs[0], decision, owner: silo), CancellationToken.None));
        Assert.Single(await Dependencies.GetPendingSignalsAsync(downs[0].Id, CancellationToken.None));
    }

    [Fact]
    public async Task AbandonedAttempt_SignalsOnFailureAndCompletion_AndItsLateRealEndSignalsNoMore()
    {
        var (up, downs) = await SeedChainAsync("failure", "success");
        var claim = Claim(up, "m:1", advances: false, lease: TimeSpan.FromMilliseconds(1));
        Assert.True(await Store.TryClaimAsync(claim, CancellationToken.None));
        await Task.Delay(50);
        Assert.True(await Store.AbandonExpiredAsync(CancellationToken.None) >= 1);
        var onFailure = Assert.Single(await Dependencies.GetPendingSignalsAsync(downs[0].Id, CancellationToken.None));
        Assert.Equal(ExecutionStatus.Abandoned, onFailure.UpstreamStatus);

        // The run's real end arrives after all (its lease was lost while it ran): on success is signalled by it now, and on
        // failure keeps the one signal of this occurrence.
        Assert.True(await Store.CompleteAsync(new ExecutionCompletion
        {
            ExecutionId = claim.ExecutionId, Status = ExecutionStatus.Succeeded, CompletedAt = T0.AddMinutes(2), Final = true,
        }, CancellationToken.None));
        Assert.Single(await Dependencies.GetPendingSignalsAsync(downs[0].Id, CancellationToken.None));
        Assert.Single(await Dependencies.GetPendingSignalsAsync(downs[1].Id, CancellationToken.None));
    }

    [Fact]
    public async Task ReadyDownstreams_AreThoseWhoseEveryUpstreamHasSignalled()
    {
        var (x, y) = (Slug(), Slug());
        var (fan, single) = (Slug(), Slug());
        await Store.SyncDefinitionsAsync(
        [
            Definition(x), Definition(y),
            Definition(fan, schedule: "") with { After = UpstreamList.Parse(fan, [x, y]) },
            Definition(single, schedule: "") with { After = UpstreamList.Parse(single, [x]) },
        ], T0, CancellationToken.None);
        await EndAsync((await Store.GetJobAsync(x, CancellationToken.None))!, "m:1", ExecutionStatus.Succeeded, final: true);

        var ready = await Dependencies.FindReadyDownstreamsAsync(TimeSpan.Zero, CancellationToken.None);
        Assert.Contains(single, ready);
        Assert.DoesNotContain(fan, ready);
        Assert.DoesNotContain(single, await Dependencies.FindReadyDownstreamsAsync(TimeSpan.FromMinutes(5), CancellationToken.None));

        var graph = await Dependencies.GetDependencyGraphAsync(CancellationToken.None);
        Assert.Equal(new[] { x, y }.Order(StringComparer.Ordinal), graph.Single(n => n.Slug == fan).After.Select(u => u.Slug));
        Assert.Contains(graph, n => n.Slug == y && n.After.Count == 0);
    }

    [Fact]
    public async Task UpdateAfter_RefusesACycleAndAnUnknownJob_NamingThem_AndStoresNothing()
    {
        var (up, downs) = await SeedChainAsync("success");
        var cycle = await Assert.ThrowsAsync<InvalidJobConfigurationException>(() => Store.UpdateJobAsync(up.Slug,
            new JobUpdate { After = [new Upstream(downs[0].Slug)], ChangedBy = "t" }, T0, CancellationToken.None));
        Assert.Equal("after", cycle.Field);
        Assert.Contains($"{up.Slug} → {downs[0].Slug} → {up.Slug}", cycle.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<InvalidJobConfigurationException>(() => Store.UpdateJobAsync(up.Slug,
            new JobUpdate { After = [new Upstream("no-such-" + Slug())], ChangedBy = "t" }, T0, CancellationToken.None));
        Assert.Contains("no-such-", unknown.Message, StringComparison.Ordinal);
        var stored = (await Store.GetJobAsync(up.Slug, CancellationToken.None))!;
        Assert.Equal(up.Version, stored.Version);
        Assert.Empty(stored.After);

        // A valid change is stored, overridden (a later sync keeps it), with old and new values in the audit row's JSON.
        var updated = await Store.UpdateJobAsync(downs[0].Slug, new JobUpdate
        {
            After = [new Upstream(up.Slug, DependencyCondition.Completion)], ChangedBy = "t",
        }, T0, CancellationToken.None);
        Assert.Equal([new Upstream(up.Slug, DependencyCondition.Completion)], updated.After);
        Assert.Contains(JobFields.After, updated.OverriddenFields);
    }
}
