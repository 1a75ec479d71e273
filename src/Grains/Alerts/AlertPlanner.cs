using System.Globalization;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Grains.Alerts;

/// <summary>What the planner is given: pending events in id order, and what it needs to judge them.</summary>
public sealed record AlertBatch
{
    public required IReadOnlyList<AlertEventRecord> Events { get; init; }
    /// <summary>Every rule, enabled or not.</summary>
    public required IReadOnlyList<AlertRule> Rules { get; init; }
    /// <summary>Open incidents of the events' jobs.</summary>
    public required IReadOnlyList<AlertState> States { get; init; }
    public required IReadOnlyDictionary<Guid, AlertJob> Jobs { get; init; }
    public required IReadOnlyDictionary<Guid, AlertExecution> Executions { get; init; }
    public required bool SchedulingPaused { get; init; }
    public required DateTimeOffset Now { get; init; }
    /// <summary>The admin pages' public address, for links in messages; null for none.</summary>
    public string? PublicUrl { get; init; }
}

/// <summary>What to write, in one transaction with marking the events processed.</summary>
public sealed record AlertPlan
{
    public required IReadOnlyList<AlertState> Upserts { get; init; }
    public required IReadOnlyList<(Guid RuleId, Guid JobId, string Kind)> Closed { get; init; }
    public required IReadOnlyList<PlannedDelivery> Deliveries { get; init; }
}

/// <summary>
/// Turns outbox events into messages, pure. Per rule and job, an incident opens at the first failure (one message), counts the
/// repeats while it is open and tells them in a reminder at most every <see cref="AlertRule.RepeatEvery"/>, and closes at the
/// first success ('recovered', sent when the rule asks for it). A dead man's switch ('stale') is an incident of its own. Quiet
/// while the job is disabled or the scheduler paused: failures then neither send nor open anything (a recovery still closes,
/// and the circuit breaker's 'paused' is always told, since it is what disabled the job).
/// </summary>
public static class AlertPlanner
{
    public const int MaxErrorLength = 1000;

    public static AlertPlan Plan(AlertBatch batch, Func<Guid>? newId = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        newId ??= Guid.CreateVersion7;
        var states = batch.States.ToDictionary(s => (s.RuleId, s.JobId, s.Kind));
        var changed = new HashSet<(Guid, Guid, string)>();
        var closed = new List<(Guid, Guid, string)>();
        var deliveries = new List<PlannedDelivery>();
        foreach (var e in batch.Events)
        {
            if (!batch.Jobs.TryGetValue(e.JobId, out var job) || job.IsDeleted)
            {
                continue;
            }
            // A failure that happened before the job was disabled is still told (the circuit breaker's last one, planned after
            // the breaker disabled the job); one after, not.
            var quiet = !job.IsEnabled && e.OccurredAt >= job.ChangedAt || batch.SchedulingPaused;
            foreach (var rule in batch.Rules.Where(r => r.IsEnabled && r.Covers(job.Slug)))
            {
                if (e.Kind is AlertEvent.Stale or AlertEvent.Recovered && e.RuleId is { } owner && owner != rule.Id)
                {
                    continue;
                }
                var kind = e.Kind == AlertEvent.Stale || e.Kind == AlertEvent.Recovered && e.RuleId is not null ? AlertStateKinds.Stale : AlertStateKinds.Failing;
                var key = (rule.Id, job.Id, kind);
                states.TryGetValue(key, out var open);
                switch (e.Kind)
                {
                    case AlertEvent.Paused:
                        if (rule.Events.Contains(AlertEvent.Paused))
                        {
                            deliveries.Add(Delivery(batch, e, rule, job, "paused", null, newId()));
                        }
                        break;
                    case AlertEvent.Recovered:
                        if (open is not null)
                        {
                            states.Remove(key);
                            changed.Remove(key);
                            closed.Add(key);
                            if (rule.Events.Contains(AlertEvent.Recovered))
                            {
                                deliveries.Add(Delivery(batch, e, rule, job, "recovered", open, newId()));
                            }
                        }
                        break;
                    default:
                        if (quiet || !rule.Events.Contains(e.Kind))
                        {
                            break;
                        }
                        if (open is null)
                        {
                            states[key] = new AlertState
                            {
                                RuleId = rule.Id, JobId = job.Id, Kind = kind, OpenedAt = e.OccurredAt, LastSentAt = batch.Now, Suppressed = 0, Total = 1,
                            };
                            deliveries.Add(Delivery(batch, e, rule, job, "alert", null, newId()));
                        }
                        else if (batch.Now - open.LastSentAt >= rule.RepeatEvery)
                        {
                            var counted = open with { Total = open.Total + 1, Suppressed = open.Suppressed + 1 };
                            deliveries.Add(Delivery(batch, e, rule, job, "reminder", counted, newId()));
                            states[key] = counted with { LastSentAt = batch.Now, Suppressed = 0 };
                        }
                        else
                        {
                            states[key] = open with { Total = open.Total + 1, Suppressed = open.Suppressed + 1 };
                        }
                        changed.Add(key);
                        break;
                }
            }
        }
        return new AlertPlan
        {
            Upserts = [.. changed.Where(states.ContainsKey).Select(k => states[k])],
            Closed = closed.Where(k => !states.ContainsKey(k)).ToList(),
            Deliveries = deliveries,
        };
    }

    private static PlannedDelivery Delivery(AlertBatch batch, AlertEventRecord e, AlertRule rule, AlertJob job, string type, AlertState? incident, Guid id)
    {
        AlertExecution? run = e.ExecutionId is { } executionId && batch.Executions.TryGetValue(executionId, out var found) ? found : null;
        var message = new AlertMessage
        {
            Id = id, Type = type, Event = e.Kind.ToText(), Rule = rule.Name, OccurredAt = e.OccurredAt,
            Summary = Summary(e, rule, job, type, incident, run),
            Job = new MessageJob(job.Slug, job.Name, AlertUrls.JobPage(batch.PublicUrl, job.Slug)),
            Execution = run is null ? null : new MessageExecution
            {
                Id = run.Id, Status = run.Status, ScheduledFor = run.ScheduledFor, StartedAt = run.StartedAt, CompletedAt = run.CompletedAt,
                DurationMs = run.DurationMs, ExitCode = run.ExitCode, Attempt = run.RetryCount + 1, Error = Cut(run.ErrorMessage), Reason = Cut(run.StatusReason),
            },
            Incident = incident is null ? null : new MessageIncident(incident.OpenedAt, incident.Total, incident.Suppressed),
        };
        return new PlannedDelivery { Id = id, EventId = e.Id, RuleId = rule.Id, JobId = job.Id, Kind = type, Message = message, CreatedAt = batch.Now };
    }

    /// <summary>A test message of a rule, sent from the pages.</summary>
    public static PlannedDelivery Test(AlertRule rule, string requestedBy, DateTimeOffset now, Guid id) => new()
    {
        Id = id, RuleId = rule.Id, Kind = "test", CreatedAt = now,
        Message = new AlertMessage
        {
            Id = id, Type = "test", Rule = rule.Name, OccurredAt = now,
            Summary = $"Test message of Totallator Cron alert rule '{rule.Name}', sent by {requestedBy}.",
        },
    };

    private static string Summary(AlertEventRecord e, AlertRule rule, AlertJob job, string type, AlertState? incident, AlertExecution? run)
    {
        var who = $"Job '{job.Name}' ({job.Slug})";
        var since = incident is null ? "" : $" since {Time(incident.OpenedAt)}";
        return type switch
        {
            "paused" => $"{who} was paused by its circuit breaker: {e.Detail}",
            "recovered" when incident?.Kind == AlertStateKinds.Stale => $"{who} succeeded again; it had not succeeded within {Span(rule.ExpectSuccessWithin)}{since}.",
            "recovered" => $"{who} recovered: it succeeded after {Count(incident!.Total, "failed occurrence")}{since}.",
            "reminder" when e.Kind == AlertEvent.Stale => $"{who} has still not succeeded within {Span(rule.ExpectSuccessWithin)}{since}.",
            "reminder" => $"{who} is still failing: {Count(incident!.Suppressed, "more failed occurrence")} since the last message, {incident.Total} in all{since}. Latest: {What(e, run)}",
            _ when e.Kind == AlertEvent.Stale => $"{who} has not succeeded within {Span(rule.ExpectSuccessWithin)}{(e.Detail is { } d ? $" ({d})" : "")}.",
            _ => $"{who} {What(e, run)}",
        };
    }

    private static string What(AlertEventRecord e, AlertExecution? run)
    {
        var at = run is null ? "" : $" (scheduled for {Time(run.ScheduledFor)}, attempt {run.RetryCount + 1})";
        var error = Cut(run?.ErrorMessage, 200) ?? Cut(run?.StatusReason, 200);
        var exit = run?.ExitCode is { } code && code != 0 ? $"exit code {code.ToString(CultureInfo.InvariantCulture)}" : null;
        var detail = string.Join(": ", new[] { exit, error }.Where(x => x is not null));
        var verb = e.Kind switch
        {
            AlertEvent.Failed => "failed", AlertEvent.TimedOut => "timed out", AlertEvent.Abandoned => "was abandoned (its silo stopped renewing the lease)",
            AlertEvent.Missed => "missed an occurrence", _ => e.Kind.ToText(),
        };
        return $"{verb}{at}{(detail.Length > 0 ? ": " + detail : ".")}";
    }

    private static string? Cut(string? text, int max = MaxErrorLength) =>
        text is null ? null : text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    private static string Count(int n, string what) => n == 1 ? $"1 {what}" : $"{n} {what}s";

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Span(TimeSpan? span) => span switch
    {
        null => "its window",
        { TotalDays: >= 1 } s when s.TotalHours % 24 == 0 => $"{s.TotalDays:0} d",
        { TotalHours: >= 1 } s when s.TotalMinutes % 60 == 0 => $"{s.TotalHours:0} h",
        { TotalMinutes: >= 1 } s when s.TotalSeconds % 60 == 0 => $"{s.TotalMinutes:0} min",
        { } s => $"{s.TotalSeconds:0} s",
    };
}
