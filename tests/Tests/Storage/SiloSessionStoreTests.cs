using Npgsql;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Scheduling;
using Totallator.Grains.Sessions;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

/// <summary>
/// Silo sessions on a real PostgreSQL server: a live session keeps its silo's claims; once the session's connection is gone,
/// the unstarted claims are handed over (running rows keep their leases), and the silo itself can no longer take them back.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class SiloSessionStoreTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(database.ConnectionString);

    [Fact]
    public async Task ASilosClaims_StayItsOwnWhileItsSessionLives_AndAreHandedOverOnceItEnds()
    {
        var sessions = new PostgresSiloSessionStore(_dataSource);
        var jobs = new PostgresJobStore(_dataSource);
        var silo = "127.0.0.1:" + Random.Shared.Next(20_000, 60_000) + "@" + Guid.NewGuid().ToString("N")[..8];
        var slug = "session-" + Guid.NewGuid().ToString("N")[..8];
        await jobs.SyncDefinitionsAsync([new CronJobDefinition
        {
            Slug = slug, Name = slug, Schedule = "*/5 * * * * *", Factory = _ => throw new InvalidOperationException("not run"),
        }], DateTimeOffset.UtcNow, CancellationToken.None);
        var job = (await jobs.GetJobAsync(slug, CancellationToken.None))!;
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        ExecutionClaim Claim(string key, DateTimeOffset? startedAt, bool advances) => new()
        {
            ExecutionId = Guid.CreateVersion7(), CronJobId = job.Id, OccurrenceKey = key, ScheduledFor = at, StartedAt = startedAt,
            TriggeredBy = TriggerSource.Scheduler, RetryCount = 0, LeaseOwner = silo, LeaseDuration = TimeSpan.FromMinutes(5), AdvancesSchedule = advances,
        };
        var ahead = Claim(OccurrenceKeys.Scheduled(at), startedAt: null, advances: true);
        var running = Claim("m:" + Guid.NewGuid(), startedAt: at, advances: false);
        Assert.True(await jobs.TryClaimAsync(ahead, CancellationToken.None));
        Assert.True(await jobs.TryClaimAsync(running, CancellationToken.None));

        var session = await sessions.OpenAsync(silo, CancellationToken.None);
        Assert.NotNull(session);
        await session.PingAsync(CancellationToken.None);
        Assert.Null(await sessions.OpenAsync(silo, CancellationToken.None));
        Assert.Null(await sessions.TryResolveEndedAsync(silo, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(silo, (await jobs.GetExecutionAsync(ahead.ExecutionId, CancellationToken.None))!.LeaseOwner);

        await session.DisposeAsync();
        Assert.Equal([slug], await sessions.TryResolveEndedAsync(silo, TimeSpan.Zero, CancellationToken.None));

        var handed = (await jobs.GetExecutionAsync(ahead.ExecutionId, CancellationToken.None))!;
        Assert.Equal((ExecutionStatus.Claimed, (string?)null), (handed.Status, handed.LeaseOwner));
        Assert.Contains("declared dead", handed.StatusReason, StringComparison.Ordinal);
        var stillRunning = (await jobs.GetExecutionAsync(running.ExecutionId, CancellationToken.None))!;
        Assert.Equal((ExecutionStatus.Running, silo), (stillRunning.Status, stillRunning.LeaseOwner));
        // The silo, back with a new session, cannot take the claim back; the job's next activation does, when it loads the job.
        Assert.False(await jobs.TryClaimAsync(ahead, CancellationToken.None));
        var load = await jobs.LoadJobAsync(slug, "survivor", TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Contains(load.TakenOver, r => r.Id == ahead.ExecutionId);
        // The resolving connection let the lock go: the silo's name can hold a session again.
        await using var again = await sessions.OpenAsync(silo, CancellationToken.None);
        Assert.NotNull(again);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _dataSource.DisposeAsync();
}
