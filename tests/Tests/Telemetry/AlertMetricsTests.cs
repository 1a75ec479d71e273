using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;
using Totallator.Tests.Telemetry.Infrastructure;

namespace Totallator.Tests.Telemetry;

/// <summary>Attempts to send alert messages, as an exporter collects them from a silo, by rule, channel and outcome.</summary>
[Collection(TelemetryClusterCollection.Name)]
[Trait("Category", "Cluster")]
public sealed class AlertMetricsTests(TelemetryClusterFixture fixture)
{
    private const string Attempts = "totallator.scheduler.alert.attempts";
    private static readonly AdminActor Actor = new() { Name = "metrics-test" };
    private readonly PostgresCluster _c = fixture.Cluster;
    private readonly TelemetryCapture _capture = fixture.Capture;

    [Fact]
    public async Task ASentAndARefusedTestMessage_AreCountedByRuleChannelAndOutcome()
    {
        var ports = FreePorts.Many(2);
        using var receiver = new WebhookReceiver(ports[0]);
        receiver.Up();
        var alerts = _c.Client.GetGrain<IAlertGrain>(0);
        await alerts.SaveRuleAsync(new AlertRuleInput { Name = "tel-sent", Events = ["failed"], Url = receiver.Url }, Actor);
        // Nothing listens on the second port: the connection is refused.
        await alerts.SaveRuleAsync(new AlertRuleInput { Name = "tel-refused", Events = ["failed"], Channel = "slack", Url = $"http://127.0.0.1:{ports[1]}/hook" }, Actor);
        try
        {
            await alerts.TestAsync("tel-sent", Actor);
            await alerts.TestAsync("tel-refused", Actor);

            // Rule names are this test's own: no other cluster in the process has them.
            List<Measurement> Of(string rule) => _capture.All(Attempts).Where(m => m.Tag("rule") == rule).ToList();
            await TelemetryCapture.WaitUntilAsync(() => Of("tel-sent").Count >= 1 && Of("tel-refused").Count >= 1, TimeSpan.FromSeconds(20), "both attempts counted");

            var sent = Assert.Single(Of("tel-sent"));
            Assert.Equal(("webhook", "sent", 1.0), (sent.Tag("channel"), sent.Tag("outcome"), sent.Value));
            var refused = Of("tel-refused")[0];
            Assert.Equal(("slack", "failed", 1.0), (refused.Tag("channel"), refused.Tag("outcome"), refused.Value));
            Assert.Null(refused.Tag("url"));
            Assert.Single(receiver.Requests);
        }
        finally
        {
            await alerts.DeleteRuleAsync("tel-sent", Actor);
            await alerts.DeleteRuleAsync("tel-refused", Actor);
        }
    }
}
