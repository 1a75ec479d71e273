using Microsoft.Playwright;
using Totallator.Grains.Alerts;
using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Totallator.Tests.Browser;

/// <summary>The alerts page and the circuit breaker on the job page, in Chromium.</summary>
public sealed partial class AdminPagesTests
{
    [Fact]
    public async Task AnAdminMakesAnAlertRuleInThePage_SendsATestToARealReceiver_SeesItSent_AndTheSecretNeverComesBack()
    {
        const string secret = "ui-hmac-secret-value";
        using var receiver = new WebhookReceiver(FreePorts.Many(1)[0]);
        receiver.Up();
        var page = await SignInAsync(api.AdminKey, "/admin/cron");
        await page.Locator("nav a[href='/admin/alerts']").ClickAsync();
        await page.WaitForURLAsync("**/admin/alerts");
        await page.Locator("#rule-editor summary").ClickAsync();
        var form = page.Locator("form#rule-form");

        // No events: the box says so and nothing is made.
        await form.Locator("input[name='name']").FillAsync("ui-ops");
        foreach (var box in await form.Locator("input[name='events']").AllAsync())
        {
            await box.UncheckAsync();
        }
        await form.Locator("input[name='url']").FillAsync(receiver.Url);
        await form.Locator("button[type='submit']").ClickAsync();
        await Expect(page.Locator("#rule-events-error")).ToContainTextAsync("at least one event");

        await form.Locator("input[name='events'][value='failed']").CheckAsync();
        await form.Locator("input[name='events'][value='recovered']").CheckAsync();
        await form.Locator("input[name='secret']").FillAsync(secret);
        await form.Locator("input[name='repeatEvery']").FillAsync("00:20:00");
        await form.Locator("button[type='submit']").ClickAsync();
        var row = page.Locator("table#rules tbody tr[data-name='ui-ops']");
        await Expect(row).ToContainTextAsync("failed, recovered");
        await Expect(row).ToContainTextAsync("signed");
        await Expect(row).ToContainTextAsync("00:20:00");

        await row.Locator("button[data-action='test']").ClickAsync();
        var logged = page.Locator("table#deliveries tbody tr[data-status='sent']").Filter(new() { HasText = "ui-ops" });
        await Expect(logged).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(logged).ToContainTextAsync("204");
        var request = Assert.Single(receiver.Requests);
        Assert.True(WebhookSignature.Verify(secret, long.Parse(request.Headers[WebhookSignature.TimestampHeader], System.Globalization.CultureInfo.InvariantCulture),
            request.Body, request.Headers[WebhookSignature.SignatureHeader]));

        // Edited without retyping the secret: kept, and never in the page.
        await row.Locator("button[data-action='edit']").ClickAsync();
        await Expect(form.Locator("input[name='secret']")).ToHaveValueAsync("");
        await form.Locator("input[name='events'][value='timed_out']").CheckAsync();
        await form.Locator("button[type='submit']").ClickAsync();
        await Expect(row).ToContainTextAsync("failed, timed_out, recovered");
        await Expect(row).ToContainTextAsync("signed");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.Locator("#filter-status").SelectOptionAsync("sent");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("status=sent"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-alerts.png"), FullPage = true });

        await row.Locator("button[data-action='delete']").ClickAsync();
        await Expect(row).ToHaveCountAsync(0);
        Assert.Contains(_dialogs, d => d.Contains("Delete the rule", StringComparison.Ordinal));
        using var admin = api.ClientFor("admin");
        Assert.DoesNotContain("ui-ops", (await admin.FetchAsync("/api/cron/alerts/rules")).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AJobPausedByItsCircuitBreaker_SaysWhyOnItsPage_AndAnOperatorResumesIt()
    {
        const string slug = "t-ui-breaker";
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Failure("the payment API answered 503")));
        var adminPage = await SignInAsync(api.AdminKey, $"/admin/cron/{slug}");
        var config = adminPage.Locator("form#config");
        // The form is filled from the job once it has loaded: type after that.
        await Expect(config.Locator("input[name='pauseAfterFailures']")).ToHaveValueAsync("0");
        await config.Locator("input[name='pauseAfterFailures']").FillAsync("2");
        await config.Locator("button[type='submit']").ClickAsync();
        await Expect(adminPage.Locator("#job-facts")).ToContainTextAsync("pauses after 2 failures in a row");
        // A rule on this job, to a real receiver: the page then says who was told.
        using var receiver = new WebhookReceiver(FreePorts.Many(1)[0]);
        receiver.Up();
        using var admin = api.ClientFor("admin");
        Assert.Equal(201, (await admin.PostJsonAsync("/api/cron/alerts/rules",
            $$"""{"name":"ui-breaker-watch","jobSlug":"{{slug}}","events":["failed","paused"],"channel":"webhook","url":"{{receiver.Url}}"}""")).Code);
        using var operatorClient = api.ClientFor("operator");
        Assert.Equal(200, (await operatorClient.PostJsonAsync($"/api/cron/jobs/{slug}/enable")).Code);

        await adminPage.ReloadAsync();
        var breaker = adminPage.Locator("#breaker-state");
        await Expect(breaker).ToContainTextAsync("Paused by its circuit breaker: 2 failed occurrences in a row", new() { Timeout = 20_000 });
        TestJobs.Set(slug, _ => Task.FromResult(CronJobResult.Succeeded("fixed")));

        await using var other = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = api.BaseAddress.ToString() });
        var page = await SignInAsync(api.OperatorKey, $"/admin/cron/{slug}", other);
        await Expect(page.Locator("#breaker-state")).ToBeVisibleAsync();
        var told = page.Locator("#told li[data-status='sent']");
        await Expect(told.Filter(new() { HasText = "was paused by its circuit breaker" })).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Expect(told.Filter(new() { HasText = "the payment API answered 503" })).ToHaveCountAsync(1);
        Assert.Equal(["alert", "paused"], receiver.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString()).Order());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-cron-job-breaker.png") });
        await page.Locator("#toggle-enabled").ClickAsync();
        await Expect(page.Locator("#breaker-state")).ToBeHiddenAsync();
        await Expect(page.Locator("#toggle-enabled")).ToHaveTextAsync("Disable");
        Assert.Equal(200, (await operatorClient.PostJsonAsync($"/api/cron/jobs/{slug}/disable")).Code);
        Assert.Equal(204, (await admin.SendAsync("DELETE", "/api/cron/alerts/rules/ui-breaker-watch")).Code);
    }
}
