using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Totallator.Tests.Browser;

public sealed partial class AdminPagesTests
{
    /// <summary>
    /// The list asks the server for one page of the view (search, filters, sort, page) and keeps the view in the address bar:
    /// a reload or a shared link shows the same jobs (docs/admin-read.md).
    /// </summary>
    [Fact]
    public async Task TheListSearchesSortsAndPagesThroughTheServer_WithItsViewInTheAddress()
    {
        var page = await SignInAsync(api.ViewerKey, "/admin/cron");
        await Expect(page.Locator("#job-count")).ToContainTextAsync(" of ");

        var searched = page.WaitForRequestAsync(r => r.Url.Contains("/api/cron/jobs?", StringComparison.Ordinal) && r.Url.Contains("q=t-ui-list", StringComparison.Ordinal));
        await page.Locator("input#search").FillAsync("t-ui-list");
        await searched;
        await Expect(page).ToHaveURLAsync(new Regex(@"[?&]q=t-ui-list"));
        await Expect(page.Locator("table#jobs tbody tr")).ToHaveCountAsync(1);

        var sorted = page.WaitForRequestAsync(r => r.Url.Contains("sort=last_run", StringComparison.Ordinal) && r.Url.Contains("order=desc", StringComparison.Ordinal));
        await page.Locator("th[data-sort='last'] button").ClickAsync();
        await sorted;
        await Expect(page).ToHaveURLAsync(new Regex(@"sort=last_run.*order=desc"));

        // A reload keeps the view: the search box, the sort and the one matching row.
        await page.ReloadAsync();
        await Expect(page.Locator("input#search")).ToHaveValueAsync("t-ui-list");
        await Expect(page.Locator("th[data-sort='last']")).ToHaveAttributeAsync("aria-sort", "descending");
        await Expect(page.Locator("table#jobs tbody tr[data-slug='t-ui-list']")).ToBeVisibleAsync();
        await Expect(page.Locator("#job-count")).ToContainTextAsync("of 1 matching");

        // A later page is the server's: it is asked for with its offset.
        var second = page.WaitForRequestAsync(r => r.Url.Contains("/api/cron/jobs?", StringComparison.Ordinal) && r.Url.Contains("offset=100", StringComparison.Ordinal));
        await page.GotoAsync("/admin/cron?page=2");
        await second;
        await Expect(page.Locator("#page-prev")).ToBeEnabledAsync();
        await page.Locator("#page-prev").ClickAsync();
        await Expect(page).Not.ToHaveURLAsync(new Regex(@"page="));
        await Expect(page.Locator("#page-prev")).ToBeDisabledAsync();
        await Expect(page.Locator("#job-count")).ToContainTextAsync("1–");
    }
}
