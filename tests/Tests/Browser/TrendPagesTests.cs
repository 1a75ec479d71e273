using Microsoft.Playwright;
using Npgsql;
using Totallator.Tests.Api.Infrastructure;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Totallator.Tests.Browser;

/// <summary>
/// The Trends panel of the job page and the list's sort by failure rate, in headless Chromium, over a week of history seeded
/// straight into PostgreSQL for a few jobs and rolled up by a first pass (the screenshot admin-cron-job-trends.png).
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Browser")]
public sealed class TrendPagesTests(AdminApiFixture api, BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = api.BaseAddress.ToString(), ViewportSize = new() { Width = 1366, Height = 900 } });
        _context.SetDefaultTimeout(10_000);
    }

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task TheJobPageDrawsTheTrendsOfAWeek_AndTheListSortsByFailureRate()
    {
        // Four jobs with a week of history each; the last one fails most. The seed ends two minutes ago, so the live tests'
        // streams of recent ends never see it.
        var now = DateTimeOffset.UtcNow.AddMinutes(-2);
        (string Slug, string Name, HistorySeeder.Profile Profile)[] jobs =
        [
            ("t-ui-trend-invoices", "Invoice export", new(TimeSpan.FromMinutes(10), 1800, 0.03, 30_000, 180)),
            ("t-ui-trend-search", "Search index refresh", new(TimeSpan.FromMinutes(15), 4200, 0.01, 60_000, 420)),
            ("t-ui-trend-mailer", "Reminder mailer", new(TimeSpan.FromMinutes(20), 900, 0.005, 10_000, 90)),
            ("t-ui-trend-sync", "Partner stock sync", new(TimeSpan.FromMinutes(12), 2600, 0.12, 20_000, 260)),
        ];
        await using (var db = NpgsqlDataSource.Create(api.Cluster.ConnectionString))
        {
            var seed = 7;
            foreach (var (slug, name, profile) in jobs)
            {
                var id = await CreateAndReadIdAsync(slug, name);
                await HistorySeeder.InsertAsync(db, id, HistorySeeder.Runs(profile, now.AddDays(-7), now, seed++));
            }
            await HistorySeeder.RollUpAsync(db);
        }
        await CreateJobAsync("t-ui-trend-new", "Brand new job");

        var page = await SignInAsync(api.ViewerKey, "/admin/cron/t-ui-trend-invoices");
        var trends = page.Locator("section[aria-labelledby='trends-title']");
        // 24 h: one bar per hour that ran (the seed leaves the current hour nearly empty), lines for the percentiles.
        await Expect(trends.Locator("#trend-success rect")).Not.ToHaveCountAsync(0);
        Assert.True(await trends.Locator("#trend-success rect").CountAsync() >= 23);
        await Expect(trends.Locator("#trend-duration polyline.p50")).Not.ToHaveCountAsync(0);
        await Expect(trends.Locator("#trend-lateness polyline.p95")).Not.ToHaveCountAsync(0);
        await Expect(trends.Locator("#trend-totals")).ToContainTextAsync("Success rate");
        await Expect(trends.Locator("#trend-empty")).ToBeHiddenAsync();
        await Expect(trends.Locator("#trend-success text").First).ToHaveTextAsync("0 %");
        await trends.ScrollIntoViewIfNeededAsync();
        await trends.ScreenshotAsync(new LocatorScreenshotOptions { Path = BrowserFixture.ScreenshotPath("admin-cron-job-trends.png") });

        // 30 days: a bar for each of the seeded days (7, or 8 when the week began yesterday), the others empty.
        await trends.Locator("#trend-periods button[data-period='30d']").ClickAsync();
        await Expect(trends.Locator("#trend-periods button[data-period='30d']")).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(trends.Locator("#trend-success rect[data-start]")).ToHaveCountAsync(8);
        await trends.Locator("#trend-periods button[data-period='1y']").ClickAsync();
        await Expect(trends.Locator("#trend-success rect[data-start]")).ToHaveCountAsync(8);

        // A job without history: the empty state, in words.
        await page.GotoAsync("/admin/cron/t-ui-trend-new");
        await Expect(page.Locator("#trend-empty")).ToBeVisibleAsync();
        await Expect(page.Locator("#trend-success")).ToContainTextAsync("No run ended in this period.");

        // The list, sorted by failure rate over 7 days, highest first: the sync job leads the seeded ones.
        await page.GotoAsync("/admin/cron");
        await page.Locator("#search").FillAsync("t-ui-trend");
        await page.Locator("#rate-period").SelectOptionAsync("7d");
        await page.Locator("th[data-sort='failure-rate'] button").ClickAsync();
        await Expect(page.Locator("th[data-sort='failure-rate']")).ToHaveAttributeAsync("aria-sort", "descending");
        var visible = page.Locator("table#jobs tbody tr:visible");
        await Expect(visible).ToHaveCountAsync(5);
        await Expect(visible.First).ToHaveAttributeAsync("data-slug", "t-ui-trend-sync");
        await Expect(visible.Last).ToHaveAttributeAsync("data-slug", "t-ui-trend-new");
        await Expect(visible.First.Locator("td[data-col='failure-rate']")).ToContainTextAsync("%");
    }

    private async Task CreateJobAsync(string slug, string name) => await CreateAndReadIdAsync(slug, name);

    private async Task<Guid> CreateAndReadIdAsync(string slug, string name)
    {
        var created = await api.ClientFor("admin").PostJsonAsync("/api/cron/jobs", $$"""
            {"slug":"{{slug}}","type":"{{TestJobTypes.Name}}","name":"{{name}}","description":"Seeded history for the trends","schedule":"*/10 * * * *",
             "enabled":false,"parameters":{"label":"t"} }
            """);
        Assert.True(created.Code == 201, created.ToString());
        return created.Json.GetProperty("id").GetGuid();
    }

    private async Task<IPage> SignInAsync(string key, string path)
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(path);
        await page.Locator("form#sign-in input[name='apiKey']").FillAsync(key);
        await page.Locator("form#sign-in [type='submit']").ClickAsync();
        await Expect(page.Locator("#whoami")).ToBeVisibleAsync();
        return page;
    }
}
