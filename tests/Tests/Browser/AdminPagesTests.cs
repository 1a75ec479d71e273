using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Totallator.Grains.Interfaces.Jobs;
using Totallator.Grains.Jobs;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Totallator.Tests.Browser;

/// <summary>
/// The admin pages in a real headless Chromium, against the AdminApi in front of a PostgreSQL cluster: sign-in, the list,
/// live runs, controls per role, the configuration editor with its preview, and escaping. Assertions read what the admin sees
/// and, for changes, the rows in PostgreSQL.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Browser")]
public sealed partial class AdminPagesTests(AdminApiFixture api, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private IBrowserContext _context = null!;
    private readonly List<string> _dialogs = [];

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = api.BaseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 } });
        _context.SetDefaultTimeout(10_000);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task SigningInShowsEveryJobInTheList()
    {
        var page = await SignInAsync(api.OperatorKey, "/admin/cron");
        await Expect(page.Locator("#whoami")).ToContainTextAsync("test-operator");
        await Expect(page.Locator("#whoami")).ToContainTextAsync("operator");
        // The list is paged by the server (100 a page): the first page is full or holds every job.
        await Expect(page.Locator("#job-count")).ToContainTextAsync(" of ");
        Assert.True(await page.Locator("table#jobs tbody tr").CountAsync() >= Math.Min(100, TestJobs.Schedules.Count));

        await page.Locator("input#search").FillAsync("t-ui-list");
        var row = page.Locator("table#jobs tbody tr[data-slug='t-ui-list']");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator("td[data-col='state']")).ToContainTextAsync("disabled");
        await Expect(page.Locator("table#jobs tbody tr:visible")).ToHaveCountAsync(1);
        await page.Locator("input#search").FillAsync("t-invalid");
        await Expect(page.Locator("table#jobs tbody tr[data-slug='t-invalid'] td[data-col='state']")).ToContainTextAsync("invalid");
        await page.Locator("input#search").FillAsync("");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-cron.png") });
    }

    [Fact]
    public async Task ATriggeredRunAppearsLiveAndEndsWithItsStatus()
    {
        const string slug = "t-ui-live";
        TestJobs.Set(slug, async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2.5), context.CancellationToken);
            return CronJobResult.Succeeded("live run");
        });
        var page = await SignInAsync(api.OperatorKey, $"/admin/cron?q={slug}");
        var row = page.Locator($"table#jobs tbody tr[data-slug='{slug}']");

        await row.Locator("button[data-action='trigger']").ClickAsync();

        // No reload: the page follows the event stream.
        await Expect(row.Locator("td[data-col='state']")).ToContainTextAsync("running", new() { Timeout = 3_000 });
        await Expect(row.Locator("td[data-col='last']")).ToContainTextAsync("succeeded", new() { Timeout = 8_000 });
        await Expect(page.Locator("#recent li").Filter(new() { HasText = slug }).First).ToContainTextAsync("succeeded");
        await Expect(row.Locator("td[data-col='trend'] svg rect.bar-ok")).ToHaveCountAsync(1);
        var rows = await api.Cluster.RowsAsync(slug);
        Assert.Equal((ExecutionStatus.Succeeded, "test-operator"), (Assert.Single(rows).Status, rows[0].TriggeredByUserId));

        // On the job's page, the history's period filter: the run is in today's, not in a period that starts tomorrow.
        await row.Locator("a").First.ClickAsync();
        await page.WaitForURLAsync($"**/admin/cron/{slug}");
        var history = page.Locator("#history tbody");
        await Expect(history.Locator("tr[data-execution-id]")).ToHaveCountAsync(1);
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        await page.Locator("#history-from").FillAsync(DateTime.Now.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm", culture));
        await Expect(history.Locator("tr[data-execution-id]")).ToHaveCountAsync(1);
        await page.Locator("#history-from").FillAsync(DateTime.Now.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm", culture));
        await Expect(history).ToContainTextAsync("No executions match.");
    }

    [Fact]
    public async Task DisableAndEnableChangeTheStoredJob()
    {
        const string slug = "t-ui-toggle";
        var page = await SignInAsync(api.OperatorKey, $"/admin/cron?q={slug}");
        var row = page.Locator($"table#jobs tbody tr[data-slug='{slug}']");

        await row.Locator("button[data-action='enable']").ClickAsync();
        await Expect(row.Locator("td[data-col='state']")).ToContainTextAsync("enabled");
        Assert.True((await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!.IsEnabled);

        await row.Locator("button[data-action='disable']").ClickAsync();
        await Expect(row.Locator("td[data-col='state']")).ToContainTextAsync("disabled");
        Assert.False((await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!.IsEnabled);
    }

    [Fact]
    public async Task EditingTheSchedulePreviewsItAndChangesTheNextRun()
    {
        const string slug = "t-ui-edit";
        await api.ClientFor("admin").PostJsonAsync($"/api/cron/jobs/{slug}/enable");
        var page = await SignInAsync(api.AdminKey, $"/admin/cron/{slug}");
        await Expect(page.Locator("h1#job-name")).ToContainTextAsync($"Test {slug}");
        var nextBefore = await page.Locator("#next-run").InnerTextAsync();

        await page.Locator("form#config input[name='schedule']").FillAsync("15 12 * * *");
        await Expect(page.Locator("ol#preview li")).ToHaveCountAsync(10);
        await Expect(page.Locator("ol#preview li").First).ToContainTextAsync("12:15");
        await page.Locator("button#save").ClickAsync();

        await Expect(page.Locator("#save-message")).ToBeVisibleAsync();
        await Expect(page.Locator("#next-run")).Not.ToHaveTextAsync(nextBefore);
        var job = (await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!;
        Assert.Equal("15 12 * * *", job.Schedule);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-cron-job.png"), FullPage = true });
        await api.ClientFor("admin").PostJsonAsync($"/api/cron/jobs/{slug}/disable");
    }

    [Fact]
    public async Task AnInvalidScheduleShowsTheErrorAndSavesNothing()
    {
        const string slug = "t-ui-invalid";
        var page = await SignInAsync(api.AdminKey, $"/admin/cron/{slug}");
        await Expect(page.Locator("h1#job-name")).ToContainTextAsync($"Test {slug}");
        var before = (await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!;

        await page.Locator("form#config input[name='schedule']").FillAsync("61 * * * *");
        await Expect(page.Locator("#schedule-error")).ToContainTextAsync("not a valid cron expression");
        if (await page.Locator("button#save").IsEnabledAsync())
        {
            await page.Locator("button#save").ClickAsync();
            await Expect(page.Locator("#schedule-error")).ToContainTextAsync("not a valid cron expression");
        }

        var after = (await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!;
        Assert.Equal((before.Schedule, before.Version), (after.Schedule, after.Version));
    }

    [Fact]
    public async Task AViewerSeesNoControlsAndCannotChangeAnything()
    {
        const string slug = "t-ui-viewer";
        var page = await SignInAsync(api.ViewerKey, $"/admin/cron?q={slug}");
        await Expect(page.Locator($"table#jobs tbody tr[data-slug='{slug}']")).ToBeVisibleAsync();
        await Expect(page.Locator("table#jobs button[data-action]")).ToHaveCountAsync(0);

        await page.GotoAsync($"/admin/cron/{slug}");
        await Expect(page.Locator("h1#job-name")).ToContainTextAsync(slug);
        await Expect(page.Locator("button#run-now")).ToHaveCountAsync(0);
        await Expect(page.Locator("button#save:enabled")).ToHaveCountAsync(0);

        // Hiding buttons is a courtesy; the server refuses the call itself, even with a valid antiforgery token.
        var status = await page.EvaluateAsync<int>("""
            async () => {
                const session = await (await fetch('/api/cron/session')).json();
                const r = await fetch('/api/cron/jobs/t-ui-viewer/enable', { method: 'POST', headers: { 'X-CSRF-TOKEN': session.antiforgeryToken } });
                return r.status;
            }
            """);
        Assert.Equal(403, status);
        Assert.False((await api.Cluster.Store.GetJobAsync(slug, CancellationToken.None))!.IsEnabled);
    }

    [Fact]
    public async Task TheJobPageShowsTheChain_ABrokenEdge_AndAnAdminEditsTheEdges()
    {
        const string up = "t-ui-dep-up", down = "t-ui-dep-down";
        TestJobs.Set(up, _ => Task.FromResult(CronJobResult.Succeeded("upstream done")));
        TestJobs.Set(down, _ => Task.FromResult(CronJobResult.Succeeded("downstream done")));
        var page = await SignInAsync(api.AdminKey, $"/admin/cron/{down}");
        var edge = page.Locator($"#upstreams li[data-slug='{up}']");
        await Expect(edge).ToContainTextAsync($"broken: '{up}' is disabled");
        await Expect(page.Locator("#job-facts")).ToContainTextAsync("none: runs only after its upstream jobs");

        using var admin = api.ClientFor("admin");
        await admin.PostJsonAsync($"/api/cron/jobs/{up}/enable");
        await admin.PostJsonAsync($"/api/cron/jobs/{down}/enable");
        try
        {
            Assert.Equal(202, (await admin.PostJsonAsync($"/api/cron/jobs/{up}/trigger")).Code);
            var rows = await api.Cluster.WaitForRowsAsync(down, r => r.Any(x => x.Status == ExecutionStatus.Succeeded), TimeSpan.FromSeconds(20), "the downstream run");
            await page.ReloadAsync();
            await Expect(edge).Not.ToContainTextAsync("broken");
            var row = page.Locator($"#history tr[data-execution-id='{rows[0].Id}']");
            await Expect(row).ToContainTextAsync("dependency");
            await row.Locator("button.expander").ClickAsync();
            await Expect(page.Locator("#upstream-runs")).ToContainTextAsync(up);
            await Expect(page.Locator("#upstream-runs .badge")).ToHaveTextAsync("succeeded");

            // An edge to itself is refused with the field named; a condition is saved.
            var after = page.Locator("form#config input[name='after']");
            await Expect(after).ToHaveValueAsync(up);
            await after.FillAsync($"{up}, {down}");
            await page.Locator("button#save").ClickAsync();
            await Expect(page.Locator("#after-error")).ToContainTextAsync("cannot run after itself");
            Assert.Equal([new Upstream(up)], (await api.Cluster.Store.GetJobAsync(down, CancellationToken.None))!.After);
            await after.FillAsync($"{up}:completion");
            await page.Locator("button#save").ClickAsync();
            await Expect(page.Locator("#save-message")).ToContainTextAsync("Saved");
            await Expect(edge).ToContainTextAsync("ends");
            Assert.Equal([new Upstream(up, DependencyCondition.Completion)], (await api.Cluster.Store.GetJobAsync(down, CancellationToken.None))!.After);

            // The list keeps the jobs of a chain.
            await page.GotoAsync("/admin/cron?q=t-");
            await page.Locator("select#chain-filter").SelectOptionAsync("chain");
            await Expect(page.Locator($"table#jobs tbody tr[data-slug='{down}']")).ToBeVisibleAsync();
            await Expect(page.Locator("table#jobs tbody tr[data-slug='t-ui-list']")).ToBeHiddenAsync();
            await Expect(page.Locator($"table#jobs tbody tr[data-slug='{down}'] td[data-col='schedule']")).ToContainTextAsync($"after {up}");
        }
        finally
        {
            await admin.PostJsonAsync($"/api/cron/jobs/{down}/disable");
            await admin.PostJsonAsync($"/api/cron/jobs/{up}/disable");
        }
    }

    [Fact]
    public async Task AnOperatorSchedulesAOneOffRunFromTheJobPage_AndCancelsIt()
    {
        const string slug = "t-ui-oneoff";
        var page = await SignInAsync(api.OperatorKey, $"/admin/cron/{slug}");
        await Expect(page.Locator("#oneoff-empty")).ToBeVisibleAsync();
        var form = page.Locator("form#oneoff-form");
        await Expect(form.Locator("input[name='timeZone']")).ToHaveValueAsync("UTC");

        // A wall-clock time the zone skips is refused, with the field named, and nothing is stored.
        await form.Locator("input[name='at']").FillAsync("2027-03-28T02:30");
        await form.Locator("input[name='timeZone']").FillAsync("Europe/Berlin");
        await form.Locator("button[type='submit']").ClickAsync();
        await Expect(page.Locator("#oneoff-at-error")).ToContainTextAsync("does not exist in Europe/Berlin");

        var at = DateTime.UtcNow.AddDays(2).Date.AddHours(7).AddMinutes(45);
        await form.Locator("input[name='at']").FillAsync(at.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await form.Locator("input[name='note']").FillAsync("rerun after the fix");
        await form.Locator("button[type='submit']").ClickAsync();
        var item = page.Locator("#oneoff-list li");
        await Expect(item).ToHaveCountAsync(1);
        await Expect(item).ToContainTextAsync("07:45 Europe/Berlin");
        await Expect(item).ToContainTextAsync("rerun after the fix");
        var stored = Assert.Single(await api.Cluster.Client.GetGrain<Grains.Interfaces.Admin.IJobQueryGrain>(0).GetOneOffsAsync(slug, all: false));
        Assert.Equal(("Europe/Berlin", "test-operator"), (stored.TimeZone, stored.CreatedBy));
        await Expect(page.Locator("#audit")).ToContainTextAsync("job.schedule-run");

        await item.Locator("button[data-action='cancel-run']").ClickAsync();
        await Expect(page.Locator("#oneoff-list li")).ToHaveCountAsync(0);
        await Expect(page.Locator("#oneoff-empty")).ToBeVisibleAsync();
        Assert.Equal("cancelled", Assert.Single(await api.Cluster.Client.GetGrain<Grains.Interfaces.Admin.IJobQueryGrain>(0).GetOneOffsAsync(slug, all: true)).State);
        await Expect(page.Locator("#audit")).ToContainTextAsync("job.cancel-run");
    }

    [Fact]
    public async Task AnAdminCreatesAJobFromATypeInThePage_EditsItsParameters_KeepingTheSecret_AndDeletesIt()
    {
        const string slug = "t-ui-typed";
        const string secret = "tok-never-on-the-page";
        var query = api.Cluster.Client.GetGrain<Grains.Interfaces.Admin.IJobQueryGrain>(0);
        var page = await SignInAsync(api.AdminKey, "/admin/cron");
        await page.Locator("#new-job").ClickAsync();
        var form = page.Locator("form#new-job-form");
        await Expect(form).ToBeVisibleAsync();
        await form.Locator("select[name='type']").SelectOptionAsync(TestJobTypes.Name);
        await form.Locator("input[name='slug']").FillAsync(slug);
        await Expect(form.Locator("input[name='name']")).ToHaveValueAsync("T ui typed");
        await form.Locator("input[name='name']").FillAsync("Typed from the page");
        await form.Locator("input[name='schedule']").FillAsync("30 6 * * 1-5");
        await form.Locator("input[name='timeZone']").FillAsync("Europe/Berlin");
        await Expect(page.Locator("#new-preview li")).ToHaveCountAsync(5);
        await Expect(page.Locator("#new-preview li").First).ToContainTextAsync("06:30");
        await Expect(page.Locator("#new-schedule-words")).ToContainTextAsync("Runs");

        // The form is built from the type's schema; what the type refuses is shown on its field, and nothing is stored.
        await form.Locator("#new-param-label").FillAsync("ab");
        await form.Locator("#new-param-repeat").FillAsync("11");
        await form.Locator("#new-param-token").FillAsync(secret);
        await form.Locator("button[type='submit']").ClickAsync();
        await Expect(page.Locator("#new-param-repeat-error")).ToContainTextAsync("between 1 and 10");
        await Assert.ThrowsAsync<CronJobNotFoundException>(() => query.GetJobAsync(slug));
        await form.Locator("#new-param-repeat").FillAsync("2");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-cron-new-job.png") });
        await form.Locator("button[type='submit']").ClickAsync();

        // Created: the job's page, its parameters in the configuration form, the secret never on the page.
        await page.WaitForURLAsync($"**/admin/cron/{slug}");
        await Expect(page.Locator("#job-name")).ToHaveTextAsync("Typed from the page");
        await Expect(page.Locator("#job-facts")).ToContainTextAsync($"from job type {TestJobTypes.Name}");
        await Expect(page.Locator("#cfg-param-label")).ToHaveValueAsync("ab");
        await Expect(page.Locator("#cfg-param-token")).ToHaveValueAsync("");
        await Expect(page.Locator("#cfg-param-token")).ToHaveAttributeAsync("placeholder", new Regex("leave empty to keep it"));
        var stored = await query.GetJobAsync(slug);
        Assert.Equal(("api", "Europe/Berlin", "test-admin"), (stored.Source, stored.TimeZone, stored.CreatedBy));

        await page.Locator("#cfg-param-label").FillAsync("cd");
        await page.Locator("#cfg-description").FillAsync("edited in the page");
        await page.Locator("#save").ClickAsync();
        await Expect(page.Locator("#save-message")).ToContainTextAsync("Saved");
        await Expect(page.Locator("#audit")).ToContainTextAsync("job.update");
        Assert.Contains("\"label\":\"cd\"", (await query.GetJobAsync(slug)).ParametersJson, StringComparison.Ordinal);

        // A run now uses the new label and the secret kept from before.
        await page.Locator("#run-now").ClickAsync();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!(TestJobTypes.LastRunWith.TryGetValue(slug, out var ran) && ran.Label == "cd") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        Assert.Equal(("cd", 2, secret), (TestJobTypes.LastRunWith[slug].Label, TestJobTypes.LastRunWith[slug].Repeat, TestJobTypes.LastRunWith[slug].Token));
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        // Deleted after confirming: no more controls, the history and the trail stay.
        await page.Locator("#delete-job").ClickAsync();
        await Expect(page.Locator("#deleted-note")).ToContainTextAsync("test-admin");
        await Expect(page.Locator("#job-state")).ToContainTextAsync("deleted");
        await Expect(page.Locator("#run-now")).ToHaveCountAsync(0);
        await Expect(page.Locator("#audit")).ToContainTextAsync("job.delete");
        Assert.NotNull((await query.GetJobAsync(slug)).DeletedAt);
        Assert.Contains(_dialogs, d => d.Contains("Delete job", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnAdminCreatesAKeyInThePage_SeesItOnce_AndRevokesIt_WhileAnOperatorGetsNoKeysPage()
    {
        var page = await SignInAsync(api.AdminKey, "/admin/cron");
        await page.Locator("#nav-keys").ClickAsync();
        await page.WaitForURLAsync("**/admin/keys");
        var form = page.Locator("form#key-form");
        await form.Locator("button[type='submit']").ClickAsync();
        await Expect(page.Locator("#key-name-error")).ToContainTextAsync("Give the key a name");
        await form.Locator("input[name='name']").FillAsync("ui-made-key");
        await form.Locator("select[name='role']").SelectOptionAsync("viewer");
        await form.Locator("button[type='submit']").ClickAsync();

        // Shown once, working, and in the list by its first characters only.
        var shown = page.Locator("#new-key-value");
        await Expect(shown).ToHaveTextAsync(new Regex("^tcron_"));
        var key = (await shown.TextContentAsync())!;
        await page.Locator("#copy-key").ClickAsync();
        await Expect(page.Locator("#copy-state")).Not.ToBeEmptyAsync();
        using var client = api.Client(key);
        Assert.Equal(200, (await client.FetchAsync("/api/cron/jobs")).Code);
        var row = page.Locator("table#keys tbody tr[data-name='ui-made-key']");
        await Expect(row).ToContainTextAsync("viewer");
        await Expect(row).ToContainTextAsync("active");
        Assert.DoesNotContain(key, await row.InnerTextAsync(), StringComparison.Ordinal);
        await Expect(row.Locator("td[data-col='last-used']")).ToHaveTextAsync("never");
        await page.ReloadAsync();
        await Expect(row).ToBeVisibleAsync();
        await Expect(page.Locator("#new-key")).ToBeHiddenAsync();
        // Its use a moment ago is on the reloaded list.
        await Expect(row.Locator("td[data-col='last-used']")).Not.ToHaveTextAsync("never");
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-keys.png") });

        // Revoked after confirming: the list says so, and the key is refused within the key cache's time.
        await row.Locator("button[data-action='revoke']").ClickAsync();
        await Expect(row).ToContainTextAsync("revoked");
        Assert.Contains(_dialogs, d => d.Contains("Revoke the key", StringComparison.Ordinal));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await client.FetchAsync("/api/cron/jobs")).Code != 401)
        {
            Assert.True(DateTime.UtcNow < deadline, "the revoked key still worked after 15 s");
            await Task.Delay(250);
        }
        using var admin = api.ClientFor("admin");
        var audit = await admin.FetchAsync("/api/cron/audit?action=apikey.revoke&actor=test-admin");
        Assert.True(audit.Json.GetProperty("items").GetArrayLength() >= 1, audit.ToString());

        // Another browser: this one's session cookie is the admin's.
        await using var other = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = api.BaseAddress.ToString() });
        var operatorPage = await SignInAsync(api.OperatorKey, "/admin/keys", other);
        await Expect(operatorPage.Locator("#app")).ToContainTextAsync("Only admins manage API keys.");
        await Expect(operatorPage.Locator("#nav-keys")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task AnAdminPausesSchedulingInTheSettingsPage_EveryPageSaysSo_AndAViewerOnlyReads()
    {
        using var admin = api.ClientFor("admin");
        var before = (await admin.FetchAsync("/api/cron/config")).Json.GetProperty("historyRetentionDays").GetInt32();
        var page = await SignInAsync(api.AdminKey, "/admin/settings");
        try
        {
            var retention = page.Locator("form#settings input[name='historyRetentionDays']");
            await Expect(retention).ToHaveValueAsync(before.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // A bad value is refused on its field, and nothing is stored.
            await retention.FillAsync("0");
            await page.Locator("#save-settings").ClickAsync();
            await Expect(page.Locator("#set-historyRetentionDays-error")).Not.ToBeEmptyAsync();
            Assert.Equal(before, (await admin.FetchAsync("/api/cron/config")).Json.GetProperty("historyRetentionDays").GetInt32());
            await retention.FillAsync((before + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.Locator("#save-settings").ClickAsync();
            await Expect(page.Locator("#settings-message")).ToContainTextAsync("Saved: historyRetentionDays");
            Assert.Equal(before + 1, (await admin.FetchAsync("/api/cron/config")).Json.GetProperty("historyRetentionDays").GetInt32());

            // Paused after confirming: every page shows the banner until an admin resumes.
            await page.Locator("#toggle-pause").ClickAsync();
            await Expect(page.Locator("#pause-state")).ToContainTextAsync("Scheduling is paused");
            Assert.Contains(_dialogs, d => d.Contains("Pause scheduling for every job", StringComparison.Ordinal));
            Assert.True((await admin.FetchAsync("/api/cron/config")).Json.GetProperty("schedulingPaused").GetBoolean());
            await Expect(page.Locator("#paused-banner")).ToBeVisibleAsync();
            await Expect(page.Locator("#toggle-pause")).ToBeEnabledAsync();
            await Expect(page.Locator("#toggle-pause")).ToHaveTextAsync("Resume scheduling");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-settings.png") });
            await page.GotoAsync("/admin/cron/t-ui-list");
            await Expect(page.Locator("#paused-banner")).ToContainTextAsync("Scheduling is paused cluster-wide");
            await page.Locator("#paused-banner a").ClickAsync();
            await page.WaitForURLAsync("**/admin/settings");
            await page.Locator("#toggle-pause").ClickAsync();
            await Expect(page.Locator("#pause-state")).ToContainTextAsync("Scheduling runs");
            await Expect(page.Locator("#paused-banner")).ToHaveCountAsync(0);
        }
        finally
        {
            await admin.SendAsync("PUT", "/api/cron/config", $$"""{"schedulingPaused":false,"historyRetentionDays":{{before}}}""");
        }

        // History cleanup: a preview first, then the deletion it previewed (ten years: nothing of this shared cluster goes).
        var cleanup = page.Locator("form#cleanup-form");
        await cleanup.Locator("input[name='olderThanDays']").FillAsync("3650");
        await Expect(page.Locator("#run-cleanup")).ToBeDisabledAsync();
        await cleanup.Locator("#preview-cleanup").ClickAsync();
        await Expect(page.Locator("#cleanup-result")).ToContainTextAsync("Would delete 0 executions that ended before");
        await page.Locator("#run-cleanup").ClickAsync();
        await Expect(page.Locator("#cleanup-result")).ToContainTextAsync("Deleted 0 executions");
        Assert.Contains(_dialogs, d => d.Contains("more than 3650 days ago", StringComparison.Ordinal));
        await cleanup.Locator("input[name='olderThanDays']").FillAsync("-1");
        await cleanup.Locator("#preview-cleanup").ClickAsync();
        await Expect(page.Locator("#cleanup-days-error")).ToContainTextAsync("olderThanDays must be a whole number from 0 to 3650");

        await using var other = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = api.BaseAddress.ToString() });
        var viewerPage = await SignInAsync(api.ViewerKey, "/admin/settings", other);
        await Expect(viewerPage.Locator("#settings-readonly")).ToBeVisibleAsync();
        await Expect(viewerPage.Locator("form#settings input[name='historyRetentionDays']")).ToHaveAttributeAsync("readonly", "");
        await Expect(viewerPage.Locator("#toggle-pause")).ToBeHiddenAsync();
        await Expect(viewerPage.Locator("#save-settings")).ToBeHiddenAsync();
        await Expect(viewerPage.Locator("#cleanup-section")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task TheAuditPageFiltersTheWholeTrail_ByActionWhoAndPeriod_InItsAddress()
    {
        using var admin = api.ClientFor("admin");
        var created = await admin.PostJsonAsync("/api/cron/keys", """{"name":"audit-page-key","role":"viewer"}""");
        var keyId = created.Json.GetProperty("id").GetString()!;
        var page = await SignInAsync(api.ViewerKey, "/admin/cron");
        await page.Locator("nav a[href='/admin/audit']").ClickAsync();
        await page.WaitForURLAsync("**/admin/audit");
        var filters = page.Locator("form#audit-filters");
        await filters.Locator("select[name='action']").SelectOptionAsync("apikey.create");
        await filters.Locator("input[name='actor']").FillAsync("test-admin");
        await filters.Locator("button[type='submit']").ClickAsync();
        await Expect(page.Locator("#audit tbody")).ToContainTextAsync(keyId);
        var actions = await page.Locator("#audit tbody tr td:nth-child(3) code").AllTextContentsAsync();
        Assert.NotEmpty(actions);
        Assert.All(actions, a => Assert.Equal("apikey.create", a));
        Assert.Contains("action=apikey.create", page.Url, StringComparison.Ordinal);

        // The address keeps the filters: reloaded, the same rows; a period in the future has none.
        await page.ReloadAsync();
        await Expect(filters.Locator("select[name='action']")).ToHaveValueAsync("apikey.create");
        await Expect(page.Locator("#audit tbody")).ToContainTextAsync(keyId);
        await filters.Locator("input[name='from']").FillAsync(DateTime.Now.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await filters.Locator("button[type='submit']").ClickAsync();
        await Expect(page.Locator("#audit tbody")).ToContainTextAsync("No change matches these filters.");
    }

    [Fact]
    public async Task AJobNamedLikeMarkupShowsAsText()
    {
        var page = await SignInAsync(api.ViewerKey, $"/admin/cron?q={TestJobs.HostileSlug}");
        var name = page.Locator($"table#jobs tbody tr[data-slug='{TestJobs.HostileSlug}'] td[data-col='name']");
        await Expect(name).ToContainTextAsync(TestJobs.HostileName);
        Assert.Equal(0, await page.Locator("table#jobs b").CountAsync());

        await page.GotoAsync($"/admin/cron/{TestJobs.HostileSlug}");
        await Expect(page.Locator("h1#job-name")).ToHaveTextAsync(new Regex(Regex.Escape(TestJobs.HostileName)));
        Assert.Empty(_dialogs);
    }

    [Fact]
    public async Task RevokingTheKeyEndsTheLiveStreamAndShowsTheSignInFormWithTheReason()
    {
        using var admin = api.ClientFor("admin");
        var created = (await admin.PostJsonAsync("/api/cron/keys", """{"name":"ui-revoked","role":"viewer"}""")).Json;
        var page = await SignInAsync(created.GetProperty("key").GetString()!, "/admin/cron");
        await Expect(page.Locator("#live")).ToHaveTextAsync("Live");

        Assert.Equal(204, (await admin.SendAsync("DELETE", $"/api/cron/keys/{created.GetProperty("id").GetString()}")).Code);

        // The fixture's key cache holds 200 ms; the stream re-checks as often, then says why it ends.
        await Expect(page.Locator("#sign-in-panel")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Expect(page.Locator("#message")).ToContainTextAsync("revoked");
        await Expect(page.Locator("#app")).ToBeHiddenAsync();
    }

    private async Task<IPage> SignInAsync(string key, string path, IBrowserContext? context = null)
    {
        var page = await (context ?? _context).NewPageAsync();
        page.Dialog += async (_, dialog) =>
        {
            _dialogs.Add(dialog.Message);
            await dialog.AcceptAsync();
        };
        await page.GotoAsync(path);
        await page.Locator("form#sign-in input[name='apiKey']").FillAsync(key);
        await page.Locator("form#sign-in [type='submit']").ClickAsync();
        await Expect(page.Locator("#whoami")).ToBeVisibleAsync();
        return page;
    }
}
