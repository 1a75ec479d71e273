using Microsoft.Extensions.FileProviders;

namespace Totallator.AdminApi.Hosting;

/// <summary>
/// The admin web pages: <c>/admin/cron</c> (all jobs), <c>/admin/cron/{slug}</c> (one job), <c>/admin/keys</c> (API keys),
/// <c>/admin/alerts</c> (alert rules and deliveries), <c>/admin/audit</c> (the audit trail) and <c>/admin/settings</c> (the last
/// four outside <c>/admin/cron/</c> so that no job slug can shadow them), plain HTML and JavaScript
/// embedded in this assembly (so the silo's development mode serves them too) under <c>/admin/assets/</c>. No CDN: every
/// asset comes from here. The pages hold no data; they sign in and read everything through <c>/api/cron</c>.
/// </summary>
public static class AdminPages
{
    public const string AssetsPath = "/admin/assets";

    // Scripts and styles only from this origin, no inline code, no framing: escaped text is the first wall against injected
    // job names and output, this policy the second.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication MapAdminPages(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = new EmbeddedFileProvider(typeof(AdminPages).Assembly, "Totallator.AdminApi.Pages");
        var layout = Read(files, "layout.html");
        // Each page is the layout (head, header with the navigation, sign-in panel) around the page's own file, composed once.
        (string Path, string Html)[] routes =
        [
            ("/admin/cron", Compose(layout, files, "index.html", "Cron jobs", "list.js")),
            ("/admin/cron/{slug}", Compose(layout, files, "job.html", "Job", "job.js")),
            ("/admin/keys", Compose(layout, files, "keys.html", "API keys", "keys.js")),
            ("/admin/audit", Compose(layout, files, "audit.html", "Audit trail", "audit.js")),
            ("/admin/alerts", Compose(layout, files, "alerts.html", "Alerts", "alerts.js")),
            ("/admin/settings", Compose(layout, files, "settings.html", "Settings", "settings.js")),
        ];
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = AssetsPath,
            OnPrepareResponse = c => Secure(c.Context.Response),
        });
        // GET and HEAD: a HEAD (curl -I, link checkers) must not fall through to the authenticated API.
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        foreach (var (path, page) in routes)
        {
            app.MapMethods(path, read, (HttpContext c) => Page(c, page)).AllowAnonymous().ExcludeFromDescription();
        }
        app.MapGet("/admin", () => Results.Redirect("/admin/cron")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Page(HttpContext context, string html)
    {
        Secure(context.Response);
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Content(html, "text/html; charset=utf-8");
    }

    private static string Compose(string layout, EmbeddedFileProvider files, string page, string title, string script) =>
        layout.Replace("{{title}}", title, StringComparison.Ordinal).Replace("{{script}}", script, StringComparison.Ordinal)
            .Replace("{{main}}", Read(files, page), StringComparison.Ordinal);

    private static string Read(EmbeddedFileProvider files, string name)
    {
        using var reader = new StreamReader(files.GetFileInfo(name).CreateReadStream());
        return reader.ReadToEnd();
    }

    private static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
    }
}
