using Npgsql;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

/// <summary>
/// Claims by a silo the membership has declared dead are refused on a real PostgreSQL server (0007_dead_silo_fence.sql): an
/// evicted silo that has not learnt it yet can neither claim an occurrence nor take over a handed-over one. And the fence of
/// such a silo (0008_silo_check_in.sql) under a check-in racing it.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class DeadSiloFenceTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private readonly NpgsqlDataSource _dataSource = database.DataSource;

    private static async Task<JobRecord> SeedJobAsync(PostgresJobStore jobs)
    {
        var slug = "fence-" + Guid.NewGuid().ToString("N")[..8];
        await jobs.SyncDefinitionsAsync([new CronJobDefinition
        {
            Slug = slug, Name = slug, Schedule = "*/5 * * * * *", Factory = _ => throw new InvalidOperationException("not run"),
        }], DateTimeOffset.UtcNow, CancellationToken.None);
        return (await jobs.GetJobAsync(slug, CancellationToken.None))!;
    }

    [Fact]
    public async Task ASiloDeclaredDead_CanNeitherClaim_NorTakeOverAHandedOverClaim_WhileALiveOneCan()
    {
        var jobs = new PostgresJobStore(_dataSource);
        var job = await SeedJobAsync(jobs);
        var dead = await MembershipRows.AddSiloAsync(_dataSource, MembershipRows.Dead);
        var alive = await MembershipRows.AddSiloAsync(_dataSource, MembershipRows.Active);
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        ExecutionClaim Claim(string owner, DateTimeOffset scheduledFor) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = OccurrenceKeys.Scheduled(scheduledFor), ScheduledFor = scheduledFor,
            StartedAt = null, TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = owner, LeaseDuration = TimeSpan.FromMinutes(5),
            AdvancesSchedule = true,
        };

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => jobs.TryClaimAsync(Claim(dead, at), CancellationToken.None));
        Assert.Contains("declared it dead", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await jobs.GetExecutionsAsync(job.Id, 10, CancellationToken.None));
        var live = Claim(alive, at);
        Assert.True(await jobs.TryClaimAsync(live, CancellationToken.None));

        await jobs.ReleaseClaimAsync(live.ExecutionId, live.LeaseOwner, "handed over", withdraw: false, CancellationToken.None);
        Assert.Empty((await jobs.LoadJobAsync(job.Slug, dead, TimeSpan.FromMinutes(1), CancellationToken.None)).TakenOver);
        Assert.Contains((await jobs.LoadJobAsync(job.Slug, alive, TimeSpan.FromMinutes(1), CancellationToken.None)).TakenOver, r => r.Id == live.ExecutionId);
    }

    [Fact]
    public async Task ACheckInInFlightWhenTheFenceComes_IsWaitedFor_AndTheClaimsItCovers_StayWithTheDeadSilo()
    {
        var jobs = new PostgresJobStore(_dataSource);
        var job = await SeedJobAsync(jobs);
        var silo = await MembershipRows.AddSiloAsync(_dataSource, MembershipRows.Active);
        var earlier = (await jobs.CheckInAsync(silo, CancellationToken.None))!.Value;
        await Task.Delay(700);

        // A check-in that has written its row but not committed yet when the membership declares the silo dead.
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var inFlight = await connection.BeginTransactionAsync();
        await using var checkIn = new NpgsqlCommand(PostgresJobStore.CheckIn, connection, inFlight);
        checkIn.Parameters.AddWithValue("owner", silo);
        checkIn.Parameters.AddWithValue("starting", false);
        var later = new DateTimeOffset((DateTime)(await checkIn.ExecuteScalarAsync())!, TimeSpan.Zero);
        // Its silo may start this one: within the window of the in-flight check-in, past that of the one before.
        var covered = new ExecutionClaim
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = OccurrenceKeys.Scheduled(later.AddMilliseconds(500)),
            ScheduledFor = later.AddMilliseconds(500), StartedAt = null, TriggeredBy = TriggerSource.Scheduler, RetryCount = 0,
            LeaseOwner = silo, LeaseDuration = TimeSpan.FromMinutes(5), AdvancesSchedule = true,
        };
        Assert.True(await jobs.TryClaimAsync(covered, CancellationToken.None));
        await MembershipRows.DeclareDeadAsync(_dataSource, silo);

        var fencing = jobs.FenceDeadSiloAsync(silo, TimeSpan.FromSeconds(1), "dead", CancellationToken.None);
        await Task.Delay(300);
        Assert.False(fencing.IsCompleted, "the fence waits for the check-in in flight");
        await inFlight.CommitAsync();
        var fence = (await fencing)!;

        Assert.True(later > earlier.AddMilliseconds(600));
        Assert.Equal((later, 0), (fence.LastCheckIn!.Value, fence.HandedOver));
        Assert.Equal(silo, (await jobs.GetExecutionAsync(covered.ExecutionId, CancellationToken.None))!.LeaseOwner);
        Assert.Null(await jobs.CheckInAsync(silo, CancellationToken.None));
    }

    [Fact]
    public async Task AFenceOfASiloTheMembershipHasNotDeclaredDead_DoesNothing()
    {
        var jobs = new PostgresJobStore(_dataSource);
        var silo = await MembershipRows.AddSiloAsync(_dataSource, MembershipRows.Active);
        Assert.NotNull(await jobs.CheckInAsync(silo, CancellationToken.None));

        Assert.Null(await jobs.FenceDeadSiloAsync(silo, TimeSpan.FromSeconds(1), "not dead", CancellationToken.None));
        Assert.NotNull(await jobs.CheckInAsync(silo, CancellationToken.None));
    }
}
