using Npgsql;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Cluster.Infrastructure;

namespace Totallator.Tests.Cluster;

/// <summary>
/// Sleeping jobs on a real silo: a job whose next occurrence is further than <c>SleepBeyond</c> gives up its activation, and its
/// durable reminder, set to <c>WakeLead</c> before the occurrence, brings it back to fire on time.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class SleepTests
{
    private static readonly TimeSpan WakeLead = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task AJobWhoseNextOccurrenceIsFar_SleepsBetweenFires_AndItsWakeUpFiresItOnTime()
    {
        var settings = PostgresCluster.DefaultTimings();
        // Every 15 s: after a fire the next claim is about 13.5 s away, beyond 9 s, so the job sleeps until 6 s before it.
        settings["Cron:Scheduler:SleepBeyond"] = "00:00:09";
        settings["Cron:Scheduler:WakeLead"] = "00:00:06";
        await using var c = await PostgresCluster.StartAsync(1, settings);
        const string slug = "t-sleep";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("ok")));
        await c.EnableAsync(slug);

        var first = (await c.WaitForRowsAsync(slug, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), TimeSpan.FromSeconds(25), "the first fire"))
            .Where(x => x.Status == ExecutionStatus.Succeeded).Min(x => x.ScheduledFor);
        var next = first.AddSeconds(15);

        // Gone between the fires, with its wake-up in the reminder table ahead of the next occurrence.
        Assert.True(await BecomesInactiveAsync(c, slug, first.AddSeconds(8)), "the job never went to sleep after its fire");
        var (wakeAt, grainHash) = await ReminderAsync(c, slug);
        // WakeLead (plus up to half of it, the spread) before the claim, which is 1.1 to 1.9 s before the instant.
        Assert.InRange(wakeAt, next - WakeLead * 1.5 - TimeSpan.FromSeconds(2.5), next - WakeLead);
        // The row Orleans wrote for this grain is the one the start-up sync writes in bulk for others (HeartbeatRow).
        Assert.Equal(HeartbeatRow.For(c.Job(slug).GetGrainId()).GrainHash, grainHash);

        // Woken by the reminder, it fires the next occurrence once and on time, and sleeps again.
        var rows = await c.WaitForRowsAsync(slug, r => r.Any(x => x.ScheduledFor == next && x.Status == ExecutionStatus.Succeeded),
            TimeSpan.FromSeconds(25), "the fire after the sleep");
        var woken = Assert.Single(rows, x => x.ScheduledFor == next);
        Assert.InRange((woken.StartedAt!.Value - next).TotalMilliseconds, -1, 1000);
        Assert.Equal(TriggerSource.Scheduler, woken.TriggeredBy);
        Assert.True(await BecomesInactiveAsync(c, slug, next.AddSeconds(8)), "the job did not sleep again after the woken fire");
        Assert.All(rows, x => Assert.Equal(ExecutionStatus.Succeeded, x.Status));
        await c.EnableAsync(slug, false);
    }

    private static async Task<bool> BecomesInactiveAsync(PostgresCluster c, string slug, DateTimeOffset deadline)
    {
        var id = c.Job(slug).GetGrainId();
        var management = c.Client.GetGrain<IManagementGrain>(0);
        while (DateTimeOffset.UtcNow < deadline)
        {
            if (!(await management.GetActiveGrains(id.Type)).Contains(id))
            {
                return true;
            }
            await Task.Delay(200);
        }
        return false;
    }

    private static async Task<(DateTimeOffset Start, int GrainHash)> ReminderAsync(PostgresCluster c, string slug)
    {
        await using var db = NpgsqlDataSource.Create(c.ConnectionString);
        await using var cmd = db.CreateCommand("SELECT starttime, grainhash FROM orleansremindertable WHERE grainid = @g AND remindername = @name");
        cmd.Parameters.AddWithValue("g", HeartbeatRow.For(c.Job(slug).GetGrainId()).GrainId);
        cmd.Parameters.AddWithValue("name", HeartbeatRow.ReminderName);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "no reminder row");
        return (new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)), reader.GetInt32(1));
    }
}
