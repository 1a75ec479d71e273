using Npgsql;
using Totallator.Grains.Alerts;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Totallator.Tests.Cluster;

/// <summary>
/// Alerts end to end on two real silo processes, configured by environment variables only: command jobs that fail, a rule in
/// configuration, a real HTTP receiver that is down, one silo killed with SIGKILL while the messages wait, and the receiver
/// back. Every message arrives once, signed.
/// </summary>
[Trait("Category", "Cluster")]
public sealed class AlertDeliveryProcessTests(ITestOutputHelper output)
{
    private const string Secret = "hook-secret-value";
    private static readonly string[] Failers = ["fail-a", "fail-b", "fail-c", "fail-d"];

    private static Dictionary<string, string> Environment(string connectionString, string hookUrl)
    {
        var env = new Dictionary<string, string>
        {
            ["ConnectionStrings__Postgres"] = connectionString,
            ["Orleans__ClusterId"] = "alerts-" + Guid.NewGuid().ToString("N")[..8],
            ["Cron__Examples__Enabled"] = "false",
            ["Cron__BuiltIn__HistoryCleanup__Enabled"] = "false",
            ["Cron__Scheduler__LeaseDuration"] = "00:00:04",
            ["Cron__Scheduler__LeaseRenewInterval"] = "00:00:01",
            ["Cron__Scheduler__SweepInterval"] = "00:00:01",
            ["Cron__Alerts__PollInterval"] = "00:00:00.200",
            ["Cron__Alerts__DeliveryLease"] = "00:00:03",
            ["Cron__Alerts__RequestTimeout"] = "00:00:01",
            // Retries 1 s, 3 s, 6 s, …: the down receiver is tried several times before it comes back.
            ["Cron__Alerts__BackoffScale"] = "0.1",
            ["Cron__Alerts__PublicUrl"] = "https://cron.example.com",
            ["Cron__Alerts__Rules__ops__Events"] = "failed,recovered",
            ["Cron__Alerts__Rules__ops__Url"] = hookUrl,
            ["Cron__Alerts__Rules__ops__Secret"] = "${HOOK_SECRET}",
            ["HOOK_SECRET"] = Secret,
        };
        foreach (var slug in Failers)
        {
            env[$"Cron__Jobs__{slug}__Schedule"] = "*/2 * * * * *";
            env[$"Cron__Jobs__{slug}__Command"] = "/bin/sh";
            env[$"Cron__Jobs__{slug}__Arguments__0"] = "-c";
            env[$"Cron__Jobs__{slug}__Arguments__1"] = "echo 'token expired' >&2; exit 4";
        }
        return env;
    }

    [Fact]
    public async Task MessagesWaitingForADownReceiver_SurviveASiloKill_AndArriveOnceEachSigned()
    {
        var cs = await PostgresServer.CreateDatabaseAsync("alerts");
        var ports = FreePorts.Many(5);
        using var receiver = new WebhookReceiver(ports[4]);
        var env = Environment(cs, receiver.Url);
        using var a = SiloProcess.Start(ports[0], ports[2], env);
        using var b = SiloProcess.Start(ports[1], ports[3], env);
        using var dataSource = NpgsqlDataSource.Create(cs);
        try
        {
            await Task.WhenAll(a.WaitStartedAsync(TimeSpan.FromSeconds(60)), b.WaitStartedAsync(TimeSpan.FromSeconds(60)));

            // The receiver is down: each failing job's first failure becomes one message, tried and failed at least once.
            var waiting = await WaitForAsync(dataSource, """
                SELECT count(*) FROM cronAlertDelivery WHERE status = 'pending' AND attempts >= 1 AND lastError IS NOT NULL
                """, n => n >= Failers.Length, TimeSpan.FromSeconds(30), "messages failing against the down receiver");
            Assert.Equal(Failers.Length, waiting);

            // Kill the silo that holds (or last held) messages; the survivor must send them.
            var holder = await ScalarAsync<string?>(dataSource, "SELECT lockedBy FROM cronAlertDelivery WHERE lockedBy IS NOT NULL LIMIT 1");
            var victim = holder?.Contains($":{a.SiloPort}:", StringComparison.Ordinal) == true ? a : b;
            victim.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            receiver.Up();

            var arrived = await WaitForReceivedAsync(receiver, Failers.Length, TimeSpan.FromSeconds(45));
            // Give any duplicate the time to come (leases of 3 s, retries from 1 s).
            await Task.Delay(TimeSpan.FromSeconds(5));
            var requests = receiver.Requests;
            output.WriteLine($"{requests.Count} requests; all {Failers.Length} messages in {(arrived - killedAt).TotalSeconds:0.0} s after the kill and the receiver's return");

            var ids = requests.Select(r => r.Headers[WebhookSignature.DeliveryHeader]).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
            var bodies = requests.Select(r => AlertMessage.FromJson(r.Body)).ToList();
            Assert.Equal(Failers.Order(), bodies.Select(m => m.Job!.Slug).Order());
            Assert.All(bodies, m => Assert.Equal(("alert", "failed", "ops"), (m.Type, m.Event, m.Rule)));
            Assert.All(bodies, m => Assert.Equal(4, m.Execution!.ExitCode));
            Assert.All(bodies, m => Assert.StartsWith("https://cron.example.com/admin/cron/fail-", m.Job!.Url, StringComparison.Ordinal));
            Assert.All(requests, r => Assert.True(WebhookSignature.Verify(Secret,
                long.Parse(r.Headers[WebhookSignature.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture), r.Body, r.Headers[WebhookSignature.SignatureHeader])));
            Assert.All(requests, r => Assert.DoesNotContain(Secret, r.Body, StringComparison.Ordinal));

            // The log tells it: sent, after failed attempts, with the answer's code.
            Assert.Equal(Failers.Length, await ScalarAsync<long>(dataSource,
                "SELECT count(*) FROM cronAlertDelivery WHERE status = 'sent' AND attempts >= 2 AND lastResponseCode = 204"));
            // The jobs keep failing every 2 s: grouped into the open incidents, not one message each.
            Assert.True(await ScalarAsync<long>(dataSource, "SELECT count(*) FROM cronAlertEvent WHERE kind = 'failed'") > Failers.Length * 2);
        }
        catch (Exception ex)
        {
            throw SiloProcess.FailureWithLogs(ex, a, b);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            await PostgresServer.DropDatabaseAsync(cs);
        }
    }

    private static async Task<long> WaitForAsync(NpgsqlDataSource dataSource, string sql, Func<long, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var value = await ScalarAsync<long>(dataSource, sql);
            if (done(value))
            {
                return value;
            }
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: still {value} after {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(200);
        }
    }

    private static async Task<DateTimeOffset> WaitForReceivedAsync(WebhookReceiver receiver, int count, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (receiver.Requests.Select(r => r.Headers[WebhookSignature.DeliveryHeader]).Distinct().Count() < count)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"only {receiver.Requests.Count} of {count} messages arrived in {timeout.TotalSeconds:0} s");
            }
            await Task.Delay(100);
        }
        return receiver.Requests.Max(r => r.At);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }
}
