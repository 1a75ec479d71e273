using Totallator.Tests.Api.Infrastructure;

namespace Totallator.Tests.Api;

/// <summary>
/// Every admin page is served whole without credentials (it signs in itself): the shared layout around the page's own file,
/// with its title, its script, the sign-in panel and the content security policy, on GET and HEAD.
/// </summary>
[Collection(AdminApiCollection.Name), Trait("Category", "Api")]
public sealed class AdminPagesServingTests(AdminApiFixture api)
{
    [Theory]
    [InlineData("/admin/cron", "Cron jobs", "list.js", "id=\"jobs\"")]
    [InlineData("/admin/cron/any-job", "Job", "job.js", "id=\"history\"")]
    [InlineData("/admin/keys", "API keys", "keys.js", "id=\"key-form\"")]
    [InlineData("/admin/audit", "Audit trail", "audit.js", "id=\"audit-filters\"")]
    [InlineData("/admin/settings", "Settings", "settings.js", "id=\"cleanup-form\"")]
    public async Task EveryPageIsTheLayoutAroundItsOwnFile(string path, string title, string script, string ownMarkup)
    {
        using var anonymous = api.Client(null);
        var page = await anonymous.FetchAsync(path);
        Assert.Equal(200, page.Code);
        Assert.StartsWith("<!doctype html>", page.Body, StringComparison.Ordinal);
        Assert.Contains($"<title>{title} · Totallator Cron</title>", page.Body, StringComparison.Ordinal);
        Assert.Contains($"<script type=\"module\" src=\"/admin/assets/{script}\"></script>", page.Body, StringComparison.Ordinal);
        Assert.Contains("id=\"sign-in-panel\"", page.Body, StringComparison.Ordinal);
        Assert.Contains(ownMarkup, page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", page.Body, StringComparison.Ordinal);
        Assert.EndsWith("</html>\n", page.Body, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", string.Join(" ", page.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal(200, (await anonymous.SendAsync("HEAD", path)).Code);
    }
}
