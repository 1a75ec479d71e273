using Npgsql;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

/// <summary>
/// Claims by a silo the membership has declared dead are refused on a real PostgreSQL server (0007_dead_silo_fence.sql): an
/// evicted silo that has not learnt it yet can neither claim an occurrence nor take over a handed-over one.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class DeadSiloFenceTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    private readonly NpgsqlDataSource _dataSource = database.DataSource;

    private async Task<string> SiloAsync(int status)
    {
        var generation = Random.Shared.Next(1, int.MaxValue);
        await using var cmd = _dataSource.CreateCommand("""
            INSERT INTO orleansmembershipversiontable (deploymentid) VALUES ('fence-test') ON CONFLICT DO NOTHING;
            INSERT INTO orleansmembershiptable (deploymentid, address, port, generation, siloname, hostname, status, starttime, iamalivetime)
            VALUES ('fence-test', '127.0.0.9', 11111, @generation, 's', 'h', @status, now(), now());
            """);
        cmd.Parameters.AddWithValue("generation", generation);
        cmd.Parameters.AddWithValue("status", status);
        await cmd.ExecuteNonQueryAsync();
        return $"S127.0.0.9:11111:{generation}";
    }

    [Fact]
    public async Task ASiloDeclaredDead_CanNeitherClaim_NorTakeOverAHandedOverClaim_WhileALiveOneCan()
    {
        var jobs = new PostgresJobStore(_dataSource);
        var slug = "fence-" + Guid.NewGuid().ToString("N")[..8];
        await jobs.SyncDefinitionsAsync([new CronJobDefinition
        {
            Slug = slug, Name = slug, Schedule = "*/5 * * * * *", Factory = _ => throw new InvalidOperationException("not run"),
        }], DateTimeOffset.UtcNow, CancellationToken.None);
        var job = (await jobs.GetJobAsync(slug, CancellationToken.None))!;
        var dead = await SiloAsync(6);
        var alive = await SiloAsync(3);
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        ExecutionClaim Claim(string owner, DateTimeOffset scheduledFor) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = OccurrenceKeys.Scheduled(scheduledFor), ScheduledFor = scheduledFor,
            StartedAt = null, TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = owner, LeaseDuration = TimeSpan.FromMinutes(5),
            AdvancesSchedule = true,
        };

        Assert.False(await jobs.TryClaimAsync(Claim(dead, at), CancellationToken.None), "a dead silo's claim is refused");
        var live = Claim(alive, at);
        Assert.True(await jobs.TryClaimAsync(live, CancellationToken.None));

        await jobs.ReleaseClaimAsync(live.ExecutionId, "handed over", withdraw: false, CancellationToken.None);
        Assert.Empty((await jobs.LoadJobAsync(slug, dead, TimeSpan.FromMinutes(1), CancellationToken.None)).TakenOver);
        Assert.Contains((await jobs.LoadJobAsync(slug, alive, TimeSpan.FromMinutes(1), CancellationToken.None)).TakenOver, r => r.Id == live.ExecutionId);
    }
}
