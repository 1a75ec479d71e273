using Microsoft.Playwright;

namespace Totallator.Tests.Browser;

/// <summary>
/// A headless Chromium driven by Playwright: Debian's <c>chromium</c> package (installed by scripts/ensure-chromium.sh), or the
/// executable named by <c>TOTALLATOR_CHROMIUM</c>. Playwright downloads no browser.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("TOTALLATOR_CHROMIUM") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"No Chromium at {executable}: run scripts/ensure-chromium.sh (as root it installs Debian's chromium) or set TOTALLATOR_CHROMIUM.");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }

    /// <summary>Where the tests leave the screenshots the README shows: <c>docs/screenshots</c> at the repository root.</summary>
    public static string ScreenshotPath(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Totallator.sln")))
        {
            dir = dir.Parent;
        }
        var root = dir?.FullName ?? Path.GetTempPath();
        var folder = Path.Combine(root, "docs", "screenshots");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
