using Microsoft.Extensions.Configuration;
using Totallator.Grains.Alerts;
using Totallator.Grains.Interfaces.Admin;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Tests.Unit.Alerts;

/// <summary>Signatures, retry waits, the checks of a rule and the rules of configuration.</summary>
[Trait("Category", "Unit")]
public sealed class AlertDeliveryTests
{
    [Fact]
    public void TheSignature_IsHmacSha256OfTimestampDotBody_AndVerifiesOnlyWithTheSameSecretTimeAndBody()
    {
        // Computed independently: printf '1764842400.{"a":1}' | openssl dgst -sha256 -hmac 's3cret'
        var signature = WebhookSignature.Sign("s3cret", 1764842400, "{\"a\":1}");
        Assert.Equal("sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("s3cret"u8, "1764842400.{\"a\":1}"u8)), signature);
        Assert.True(WebhookSignature.Verify("s3cret", 1764842400, "{\"a\":1}", signature));
        Assert.False(WebhookSignature.Verify("other", 1764842400, "{\"a\":1}", signature));
        Assert.False(WebhookSignature.Verify("s3cret", 1764842401, "{\"a\":1}", signature));
        Assert.False(WebhookSignature.Verify("s3cret", 1764842400, "{\"a\":2}", signature));
    }

    [Fact]
    public void Backoff_GrowsToFifteenMinutes_AndGivesUpAfterTheLimit()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), DeliveryBackoff.After(1));
        Assert.Equal(TimeSpan.FromMinutes(15), DeliveryBackoff.After(6));
        Assert.Equal(TimeSpan.FromMinutes(15), DeliveryBackoff.After(60));
        Assert.Equal(TimeSpan.FromSeconds(11), DeliveryBackoff.After(1, jitter: 1));
        Assert.Equal(TimeSpan.FromSeconds(1), DeliveryBackoff.After(1, scale: 0.1));
        var created = new DateTimeOffset(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(created.AddHours(23).AddMinutes(15), DeliveryBackoff.Next(created, 40, created.AddHours(23), TimeSpan.FromHours(24), 1, 0));
        Assert.Null(DeliveryBackoff.Next(created, 40, created.AddHours(23).AddMinutes(50), TimeSpan.FromHours(24), 1, 0));
    }

    [Theory]
    [InlineData("Bad Name", "name")]
    [InlineData("ok", "events", "")]
    [InlineData("ok", "events", "exploded")]
    [InlineData("ok", "channel", "failed", "pigeon")]
    [InlineData("ok", "url", "failed", "webhook", "ftp://x")]
    [InlineData("ok", "url", "failed", "webhook", "https://user:pw@host/x")]
    [InlineData("ok", "expectSuccessWithin", "stale")]
    public void ABadRule_IsRefused_NamingTheField(string name, string field, string events = "failed", string channel = "webhook", string url = "https://hooks.example/x")
    {
        var input = new AlertRuleInput { Name = name, Events = events.Length == 0 ? [] : events.Split(','), Channel = channel, Url = url };
        var refused = Assert.Throws<InvalidAdminInputException>(() => AlertRuleInputs.ToRule(input, creating: true, Guid.NewGuid(), DateTimeOffset.UtcNow, "t"));
        Assert.Equal(field, refused.Field);
    }

    [Fact]
    public void TheRulesOfConfiguration_AreRead_WithSecretsFromTheEnvironment_AndABadOneNamesItsKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cron:Alerts:Rules:ops:Events"] = "failed, timed_out ,recovered",
            ["Cron:Alerts:Rules:ops:Url"] = "https://hooks.example/${HOOK_TOKEN}",
            ["Cron:Alerts:Rules:ops:Secret"] = "${HOOK_SECRET}",
            ["Cron:Alerts:Rules:ops:RepeatEvery"] = "00:15:00",
            ["Cron:Alerts:Rules:nightly-watch:Job"] = "nightly",
            ["Cron:Alerts:Rules:nightly-watch:Channel"] = "slack",
            ["Cron:Alerts:Rules:nightly-watch:Events:0"] = "stale",
            ["Cron:Alerts:Rules:nightly-watch:ExpectSuccessWithin"] = "1.02:00:00",
            ["Cron:Alerts:Rules:nightly-watch:Url"] = "https://hooks.slack.com/services/T/B/X",
        }).Build();
        var env = new Dictionary<string, string?> { ["HOOK_TOKEN"] = "tok", ["HOOK_SECRET"] = "sec" };

        var rules = new ConfiguredAlertRules(configuration).Read(n => env.GetValueOrDefault(n));

        var ops = Assert.Single(rules, r => r.Name == "ops");
        Assert.Equal([AlertEvent.Failed, AlertEvent.TimedOut, AlertEvent.Recovered], ops.Events.Order());
        Assert.Equal(("https://hooks.example/tok", "sec", TimeSpan.FromMinutes(15), AlertRuleSources.Configuration), (ops.Url, ops.Secret, ops.RepeatEvery, ops.Source));
        var watch = Assert.Single(rules, r => r.Name == "nightly-watch");
        Assert.Equal(("nightly", AlertChannel.Slack, TimeSpan.FromHours(26)), (watch.JobSlug, watch.Channel, watch.ExpectSuccessWithin));
        Assert.Equal("https://hooks.slack.com/…", watch.ToView().Destination);

        var missing = Assert.Throws<InvalidOperationException>(() => new ConfiguredAlertRules(configuration).Read(_ => null));
        Assert.Contains("Cron:Alerts:Rules:ops:Url", missing.Message, StringComparison.Ordinal);
        Assert.Contains("HOOK_TOKEN", missing.Message, StringComparison.Ordinal);
    }
}
