using Microsoft.Extensions.FileProviders;

namespace Totallator.AdminApi.Hosting;

/// <summary>
/// The admin web pages: <c>/admin/cron</c> (all jobs), <c>/admin/cron/{slug}</c> (one job), <c>/admin/keys</c> (API keys),
/// <c>/admin/audit</c> (the audit trail) and <c>/admin/settings</c> (the last three outside <c>/admin/cron/</c> so that no job
/// slug can shadow them), plain HTML and JavaScript
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
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            RequestPath = AssetsPath,
            OnPrepareResponse = c => Secure(c.Context.Response),
        });
        // GET and HEAD: a HEAD (curl -I, link checkers) must not fall through to the authenticated API.
        string[] read = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/admin/cron", read, (HttpContext c) => Page(c, files, "index.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/admin/cron/{slug}", read, (HttpContext c) => Page(c, files, "job.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/admin/keys", read, (HttpContext c) => Page(c, files, "keys.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/admin/audit", read, (HttpContext c) => Page(c, files, "audit.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapMethods("/admin/settings", read, (HttpContext c) => Page(c, files, "settings.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/admin", () => Results.Redirect("/admin/cron")).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Page(HttpContext context, EmbeddedFileProvider files, string name)
    {
        Secure(context.Response);
        context.Response.Headers.CacheControl = "no-cache";
        return Results.Stream(files.GetFileInfo(name).CreateReadStream(), "text/html; charset=utf-8");
    }

    private static void Secure(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
    }
}
