using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Totallator.Tests.Cluster.Infrastructure;
using Totallator.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Totallator.Tests.Browser;

/// <summary>
/// The README's promise: `dotnet run --project src/Silo`, open /admin/cron, sign in with the printed key, and watch the example
/// jobs fire live — here with the real silo process in its development mode and a real headless Chromium.
/// </summary>
[Trait("Category", "Browser")]
public sealed partial class DevelopmentModePagesTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task TheDevelopmentSiloShowsTheExampleJobsFiringLive()
    {
        var ports = FreePorts.Many(3);
        var http = ports[2];
        using var silo = SiloProcess.Start(ports[0], ports[1], new Dictionary<string, string> { ["Urls"] = $"http://127.0.0.1:{http}" });
        await silo.WaitStartedAsync(TimeSpan.FromSeconds(60));
        // The key is printed once the web host has started, a moment after the silo.
        var key = GeneratedKey().Match(silo.Log);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !key.Success && DateTime.UtcNow < deadline; key = GeneratedKey().Match(silo.Log))
        {
            await Task.Delay(200);
        }
        Assert.True(key.Success, "the development silo must print a generated admin key: " + silo.Log);

        using (var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}"), Timeout = TimeSpan.FromSeconds(2) })
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(200))
            {
                try
                {
                    if ((await probe.GetAsync(new Uri("/health/live", UriKind.Relative))).IsSuccessStatusCode)
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Kestrel starts listening after the hosted services; under a full parallel test run on 2 cores the first
                    // answer can also take longer than the probe's 2 s (seen once in a clean-clone run): ask again.
                }
            }
        }
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = $"http://127.0.0.1:{http}" });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/admin/cron");
        await page.Locator("form#sign-in input[name='apiKey']").FillAsync(key.Value);
        await page.Locator("form#sign-in [type='submit']").ClickAsync();

        var heartbeat = page.Locator("table#jobs tbody tr[data-slug='heartbeat']");
        await Expect(heartbeat.Locator("td[data-col='state']")).ToContainTextAsync("enabled", new() { Timeout = 15_000 });
        // heartbeat fires every 10 s: within 25 s the page shows a run it did not show at first, without a reload.
        var first = await page.Locator("#recent li").Filter(new() { HasText = "heartbeat" }).CountAsync();
        await Expect(page.Locator("#recent li").Filter(new() { HasText = "heartbeat" })).Not.ToHaveCountAsync(first, new() { Timeout = 25_000 });
        await Expect(heartbeat.Locator("td[data-col='last']")).ToContainTextAsync("succeeded");
        Assert.False(silo.HasExited, silo.Log);
    }

    [GeneratedRegex("tcron_[A-Za-z0-9_-]{43}")]
    private static partial Regex GeneratedKey();
}
