using Npgsql;
using Totallator.Grains.Jobs;
using Totallator.Grains.Storage;
using Totallator.Tests.Infrastructure;

namespace Totallator.Tests.Storage;

/// <summary>
/// The start-up sync's heartbeat rows in Orleans' reminder table: written only where a grain has none, and read back by the
/// job's load so that its grain asks Orleans for nothing. (That the rows are the ones Orleans writes: Cluster/SleepTests.)
/// </summary>
[Trait("Category", "Postgres")]
public sealed class HeartbeatRowsTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task Heartbeats_AreWrittenWhereMissing_LeaveAWakeUpAlone_AndTheLoadReadsThePeriod()
    {
        await using var db = NpgsqlDataSource.Create(database.ConnectionString);
        var store = new PostgresJobStore(db);
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        var slug = "hb" + Guid.NewGuid().ToString("N")[..10];
        await store.SyncDefinitionsAsync([new CronJobDefinition
        {
            Slug = slug, Name = "Heartbeat " + slug, Schedule = "0 * * * *", Factory = _ => throw new InvalidOperationException("not run"),
        }], DateTimeOffset.UtcNow, CancellationToken.None);
        var key = new HeartbeatKey(service, "cronjob/" + slug);

        Assert.Equal(TimeSpan.Zero, (await store.LoadJobAsync(slug, "silo-a", TimeSpan.FromSeconds(30), CancellationToken.None, key)).ReminderPeriod);
        Assert.Null((await store.LoadJobAsync(slug, "silo-a", TimeSpan.FromSeconds(30), CancellationToken.None)).ReminderPeriod);

        var rows = new[] { new HeartbeatRow(key.GrainId, -12345), new HeartbeatRow("cronjob/other-" + slug, 678) };
        Assert.Equal(2, await store.WriteHeartbeatsAsync(service, rows, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Equal(TimeSpan.FromMinutes(5), (await store.LoadJobAsync(slug, "silo-a", TimeSpan.FromSeconds(30), CancellationToken.None, key)).ReminderPeriod);

        // A wake-up (or any reminder) already there is not overwritten by a later start's sync.
        await using (var wake = db.CreateCommand("UPDATE orleansremindertable SET period = 60000, version = 3 WHERE serviceid = @s AND grainid = @g"))
        {
            wake.Parameters.AddWithValue("s", service);
            wake.Parameters.AddWithValue("g", key.GrainId);
            Assert.Equal(1, await wake.ExecuteNonQueryAsync());
        }
        Assert.Equal(0, await store.WriteHeartbeatsAsync(service, rows, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Equal(TimeSpan.FromMinutes(1), (await store.LoadJobAsync(slug, "silo-a", TimeSpan.FromSeconds(30), CancellationToken.None, key)).ReminderPeriod);

        await using var read = db.CreateCommand("SELECT grainhash, version, remindername, starttime > now() FROM orleansremindertable WHERE serviceid = @s AND grainid = @g");
        read.Parameters.AddWithValue("s", service);
        read.Parameters.AddWithValue("g", rows[1].GrainId);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((678, 0, HeartbeatRow.ReminderName, true), (reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2), reader.GetBoolean(3)));
    }

    [Fact]
    public async Task Heartbeats_FirstTickSpreadOverTheSecondPeriod_ByGrainHash()
    {
        await using var db = NpgsqlDataSource.Create(database.ConnectionString);
        var store = new PostgresJobStore(db);
        var service = "svc-" + Guid.NewGuid().ToString("N")[..8];
        // Hashes from one end of int to the other: the first ticks must cover the second period, in hash order.
        var rows = Enumerable.Range(0, 1001).Select(i => new HeartbeatRow($"cronjob/spread-{i}", (int)(int.MinValue + (long)i * (uint.MaxValue / 1000)))).ToList();
        var period = TimeSpan.FromMinutes(5);
        Assert.Equal(rows.Count, await store.WriteHeartbeatsAsync(service, rows, period, CancellationToken.None));

        await using var read = db.CreateCommand(
            "SELECT extract(epoch FROM starttime - now()) FROM orleansremindertable WHERE serviceid = @s ORDER BY grainhash");
        read.Parameters.AddWithValue("s", service);
        var offsets = new List<double>();
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                offsets.Add(reader.GetDouble(0));
            }
        }
        // Same transaction clock (now()) for the insert and this read is not given; the test runs well within a second.
        Assert.Equal(rows.Count, offsets.Count);
        Assert.InRange(offsets[0], 299, 300.5);
        Assert.InRange(offsets[^1], 598.5, 600);
        Assert.Equal(offsets.Order(), offsets);
        // Uniform: every tenth of the period holds about a tenth of the rows (100 or 101 of 1,001).
        var perTenth = offsets.GroupBy(o => Math.Min(9, (int)((o - 300) / 30))).Select(g => g.Count()).ToList();
        Assert.Equal(10, perTenth.Count);
        Assert.All(perTenth, n => Assert.InRange(n, 98, 103));
    }
}
