using Totallator.AdminApi.Security;

namespace Totallator.AdminApi.Hosting;

/// <summary>
/// Prints a generated development key once, on the console and not through logging, so it never lands in a log store; warns
/// when no bootstrap key exists at all (then only keys stored in PostgreSQL can sign in).
/// </summary>
public sealed partial class BootstrapKeyAnnouncer(BootstrapKey key, ILogger<BootstrapKeyAnnouncer> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (key.GeneratedKey is { } generated)
        {
            Console.WriteLine($"""

                Totallator Cron admin API: no Admin:ApiKey configured, generated one for this run (admin role):
                    {generated}
                Use it as the X-Api-Key header, or to sign in. Set Admin:ApiKey to keep a key across restarts.

                """);
            key.ClearGeneratedKey();
        }
        else if (!key.IsConfigured)
        {
            LogNoBootstrapKey(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning,
        Message = "No Admin:ApiKey is configured: only API keys stored in PostgreSQL can use the admin API")]
    private static partial void LogNoBootstrapKey(ILogger logger);
}
