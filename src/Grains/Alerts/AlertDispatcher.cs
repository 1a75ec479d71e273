using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Grains.Alerts;

/// <summary>
/// The cluster's half of alerts, on every silo: syncs the rules from configuration at start, then plans pending events (one
/// silo at a time, <see cref="IAlertStore.PlanPendingAsync"/>), runs the dead man's switch every
/// <see cref="AlertOptions.FreshnessCheckInterval"/>, and sends the due deliveries it takes (several silos share them). It loops
/// at once while there was work and waits <see cref="AlertOptions.PollInterval"/> when there was none.
/// </summary>
public sealed partial class AlertDispatcher(IAlertStore store, AlertSender sender, ConfiguredAlertRules configured, IOptions<AlertOptions> options,
    ILocalSiloDetails silo, Diagnostics.SchedulerInstruments instruments, TimeProvider clock, ILogger<AlertDispatcher> logger) : BackgroundService
{
    private const int PlanBatch = 500;
    private const int SendBatch = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var rules = configured.Read();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.SyncConfiguredRulesAsync(rules, clock.GetUtcNow(), stoppingToken);
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not InvalidOperationException)
            {
                LogStoreFailed(logger, ex, "syncing the rules from configuration");
                await Task.Delay(o.PollInterval * 5, clock, stoppingToken).ConfigureAwait(false);
            }
        }
        var nextFreshness = DateTimeOffset.MinValue;
        var nextCleanup = clock.GetUtcNow() + TimeSpan.FromMinutes(10);
        var owner = silo.SiloAddress.ToString();
        while (!stoppingToken.IsCancellationRequested)
        {
            var busy = false;
            try
            {
                busy |= await store.PlanPendingAsync(AlertPlannerWithLinks, PlanBatch, stoppingToken) > 0;
                var now = clock.GetUtcNow();
                if (now >= nextFreshness)
                {
                    busy |= await store.CheckFreshnessAsync(stoppingToken) > 0;
                    nextFreshness = now + o.FreshnessCheckInterval;
                }
                var due = await store.TakeDueDeliveriesAsync(owner, o.DeliveryLease, SendBatch, stoppingToken);
                busy |= due.Count > 0;
                await Task.WhenAll(due.Select(d => SendAsync(d, owner, stoppingToken)));
                if (now >= nextCleanup)
                {
                    await store.DeleteOldAsync(now - o.KeepFor, stoppingToken);
                    nextCleanup = now + TimeSpan.FromHours(1);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogStoreFailed(logger, ex, "planning or sending alerts");
            }
            if (!busy)
            {
                try
                {
                    await Task.Delay(o.PollInterval, clock, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private AlertPlan AlertPlannerWithLinks(AlertBatch batch) => AlertPlanner.Plan(batch with { PublicUrl = options.Value.PublicUrl });

    private async Task SendAsync(DueDelivery delivery, string owner, CancellationToken cancellationToken)
    {
        var (delivered, code, error) = await sender.SendAsync(delivery, cancellationToken);
        var at = clock.GetUtcNow();
        var attempts = delivery.Attempts + 1;
        DateTimeOffset? next = null;
        if (!delivered)
        {
            next = DeliveryBackoff.Next(delivery.CreatedAt, attempts, at, options.Value.GiveUpAfter, options.Value.BackoffScale, Random.Shared.NextDouble());
            if (next is null)
            {
                LogGivenUp(logger, delivery.Id, attempts, error);
            }
            else
            {
                LogAttemptFailed(logger, delivery.Id, attempts, error, next.Value);
            }
        }
        instruments.AlertAttempt(delivery.Rule, delivery.Channel.ToText(), delivered ? "sent" : next is null ? "given_up" : "failed");
        var recorded = await store.RecordAttemptAsync(new DeliveryAttempt
        {
            Id = delivery.Id, SentBy = owner, At = at, Delivered = delivered, ResponseCode = code, Error = error, NextAttemptAt = next,
        }, CancellationToken.None);
        if (!recorded)
        {
            LogLeaseLost(logger, delivery.Id);
        }
    }

    [LoggerMessage(EventId = 3701, Level = LogLevel.Warning, Message = "Alerts: the database failed while {What}; trying again")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = 3702, Level = LogLevel.Warning, Message = "Alert delivery {DeliveryId}: attempt {Attempts} failed ({Error}); next attempt at {Next:o}")]
    private static partial void LogAttemptFailed(ILogger logger, Guid deliveryId, int attempts, string? error, DateTimeOffset next);

    [LoggerMessage(EventId = 3703, Level = LogLevel.Error, Message = "Alert delivery {DeliveryId}: given up after {Attempts} attempts (last: {Error}); it stays in the delivery log")]
    private static partial void LogGivenUp(ILogger logger, Guid deliveryId, int attempts, string? error);

    [LoggerMessage(EventId = 3704, Level = LogLevel.Warning, Message = "Alert delivery {DeliveryId}: its lease ran out while it was sent; another silo may send it again (same delivery id)")]
    private static partial void LogLeaseLost(ILogger logger, Guid deliveryId);
}
