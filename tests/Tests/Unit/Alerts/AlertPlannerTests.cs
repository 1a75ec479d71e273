using Totallator.Grains.Alerts;
using Totallator.Grains.Interfaces.Alerts;

namespace Totallator.Tests.Unit.Alerts;

/// <summary>Incidents, reminders, recoveries and quiet periods, decided by the pure planner.</summary>
[Trait("Category", "Unit")]
public sealed class AlertPlannerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly AlertJob Job = new(Guid.NewGuid(), "nightly", "Nightly report", IsEnabled: true, IsDeleted: false);
    private long _nextId;

    private static AlertRule Rule(string name = "ops", string? job = null, TimeSpan? repeat = null, params AlertEvent[] events) => new()
    {
        Id = Guid.NewGuid(), Name = name, JobSlug = job, Events = (events.Length == 0 ? [AlertEvent.Failed, AlertEvent.TimedOut, AlertEvent.Recovered] : events).ToHashSet(),
        Channel = AlertChannel.Webhook, Url = "https://hooks.example/x", RepeatEvery = repeat ?? TimeSpan.FromMinutes(30), IsEnabled = true,
        Source = AlertRuleSources.Api,
    };

    private AlertEventRecord Event(AlertEvent kind, DateTimeOffset at, Guid? ruleId = null, Guid? executionId = null) => new()
    {
        Id = ++_nextId, JobId = Job.Id, Kind = kind, OccurredAt = at, RuleId = ruleId, ExecutionId = executionId,
    };

    private static AlertBatch Batch(IReadOnlyList<AlertEventRecord> events, IReadOnlyList<AlertRule> rules, IReadOnlyList<AlertState>? states = null,
        DateTimeOffset? now = null, AlertJob? job = null, bool paused = false, IReadOnlyDictionary<Guid, AlertExecution>? executions = null) => new()
    {
        Events = events, Rules = rules, States = states ?? [], Jobs = new Dictionary<Guid, AlertJob> { [Job.Id] = job ?? Job },
        Executions = executions ?? new Dictionary<Guid, AlertExecution>(), SchedulingPaused = paused, Now = now ?? T0, PublicUrl = "https://cron.example.com",
    };

    [Fact]
    public void AJobFailingEveryTenSeconds_SendsOneAlert_ThenARemindAtMostEveryRepeat()
    {
        var rule = Rule(repeat: TimeSpan.FromMinutes(30));
        var states = new List<AlertState>();
        var sent = new List<PlannedDelivery>();
        // An hour of failures every 10 s, planned as they come (each second pass sees the state the last one wrote).
        for (var i = 0; i < 360; i++)
        {
            var at = T0.AddSeconds(10 * i);
            var plan = AlertPlanner.Plan(Batch([Event(AlertEvent.Failed, at)], [rule], states, now: at));
            sent.AddRange(plan.Deliveries);
            states = [.. states.Where(s => !plan.Upserts.Any(u => u.RuleId == s.RuleId && u.JobId == s.JobId && u.Kind == s.Kind)), .. plan.Upserts];
        }

        Assert.Equal(["alert", "reminder"], sent.Select(d => d.Kind));
        var reminder = sent[1].Message;
        Assert.Equal(T0.AddMinutes(30), reminder.OccurredAt);
        Assert.Equal(new MessageIncident(T0, 181, 180), reminder.Incident);
        Assert.Contains("180 more failed occurrences since the last message, 181 in all", reminder.Summary, StringComparison.Ordinal);
        Assert.Equal(359 - 180, Assert.Single(states).Suppressed);
    }

    [Fact]
    public void TheFirstSuccess_ClosesTheIncident_AndTellsTheRecovery_WithHowManyFailed()
    {
        var rule = Rule();
        var open = new AlertState { RuleId = rule.Id, JobId = Job.Id, Kind = AlertStateKinds.Failing, OpenedAt = T0, LastSentAt = T0, Suppressed = 3, Total = 4 };

        var plan = AlertPlanner.Plan(Batch([Event(AlertEvent.Recovered, T0.AddHours(1))], [rule], [open], now: T0.AddHours(1)));

        var recovered = Assert.Single(plan.Deliveries);
        Assert.Equal("recovered", recovered.Kind);
        Assert.Contains("recovered: it succeeded after 4 failed occurrences since 2026-12-04 10:00:00Z", recovered.Message.Summary, StringComparison.Ordinal);
        Assert.Equal([(rule.Id, Job.Id, AlertStateKinds.Failing)], plan.Closed);
        Assert.Empty(plan.Upserts);
    }

    [Fact]
    public void ARecoveryWithoutAnOpenIncident_SendsNothing_AndARuleWithoutRecovered_ClosesSilently()
    {
        var silent = Rule("silent", events: [AlertEvent.Failed]);
        var open = new AlertState { RuleId = silent.Id, JobId = Job.Id, Kind = AlertStateKinds.Failing, OpenedAt = T0, LastSentAt = T0, Suppressed = 0, Total = 1 };

        var plan = AlertPlanner.Plan(Batch([Event(AlertEvent.Recovered, T0)], [silent, Rule("other")], [open]));

        Assert.Empty(plan.Deliveries);
        Assert.Equal([(silent.Id, Job.Id, AlertStateKinds.Failing)], plan.Closed);
    }

    [Fact]
    public void QuietWhileTheJobIsDisabledOrTheSchedulerPaused_ButTheBreakersPauseIsAlwaysTold()
    {
        var rule = Rule(events: [AlertEvent.Failed, AlertEvent.Paused]);
        var disabled = Job with { IsEnabled = false, ChangedAt = T0.AddSeconds(-1) };

        var whileDisabled = AlertPlanner.Plan(Batch([Event(AlertEvent.Failed, T0), Event(AlertEvent.Paused, T0)], [rule], job: disabled));
        var beforeDisabled = AlertPlanner.Plan(Batch([Event(AlertEvent.Failed, T0.AddSeconds(-2))], [rule], job: disabled));
        Assert.Equal(["alert"], beforeDisabled.Deliveries.Select(d => d.Kind));
        var whilePaused = AlertPlanner.Plan(Batch([Event(AlertEvent.Failed, T0)], [rule], paused: true));

        Assert.Equal(["paused"], whileDisabled.Deliveries.Select(d => d.Kind));
        Assert.Empty(whileDisabled.Upserts);
        Assert.Empty(whilePaused.Deliveries);
        Assert.Empty(whilePaused.Upserts);
    }

    [Fact]
    public void RulesMatchTheirJobAndEvents_AndEachRuleGetsItsOwnMessage()
    {
        var all = Rule("all");
        var mine = Rule("mine", job: "nightly");
        var other = Rule("other-job", job: "backup");
        var missedOnly = Rule("missed-only", events: [AlertEvent.Missed]);
        var off = Rule("off") with { IsEnabled = false };

        var plan = AlertPlanner.Plan(Batch([Event(AlertEvent.Failed, T0)], [all, mine, other, missedOnly, off]));

        Assert.Equal(["all", "mine"], plan.Deliveries.Select(d => d.Message.Rule).Order());
        Assert.All(plan.Deliveries, d => Assert.Equal("alert", d.Kind));
        Assert.Equal(2, plan.Deliveries.Select(d => d.Id).Distinct().Count());
    }

    [Fact]
    public void AStaleEvent_BelongsToItsRuleOnly_AndItsRecoveryClosesOnlyTheStaleIncident()
    {
        var daily = Rule("daily", events: [AlertEvent.Stale, AlertEvent.Recovered, AlertEvent.Failed]) with { ExpectSuccessWithin = TimeSpan.FromHours(26) };
        var hourly = Rule("hourly", events: [AlertEvent.Stale]) with { ExpectSuccessWithin = TimeSpan.FromHours(1) };
        var failing = new AlertState { RuleId = daily.Id, JobId = Job.Id, Kind = AlertStateKinds.Failing, OpenedAt = T0, LastSentAt = T0, Suppressed = 0, Total = 1 };

        var stale = AlertPlanner.Plan(Batch([Event(AlertEvent.Stale, T0, daily.Id) with { Detail = "last success 2026-12-03 06:00:00Z" }], [daily, hourly], [failing]));
        var message = Assert.Single(stale.Deliveries).Message;
        Assert.Equal("daily", message.Rule);
        Assert.Equal("Job 'Nightly report' (nightly) has not succeeded within 26 h (last success 2026-12-03 06:00:00Z).", message.Summary);
        var staleState = Assert.Single(stale.Upserts);
        Assert.Equal(AlertStateKinds.Stale, staleState.Kind);

        var back = AlertPlanner.Plan(Batch([Event(AlertEvent.Recovered, T0.AddHours(2), daily.Id)], [daily, hourly], [failing, staleState], now: T0.AddHours(2)));
        Assert.Equal([(daily.Id, Job.Id, AlertStateKinds.Stale)], back.Closed);
        Assert.Contains("succeeded again; it had not succeeded within 26 h", Assert.Single(back.Deliveries).Message.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void TheMessage_CarriesTheAttempt_ItsErrorCut_AndALinkToTheJobPage()
    {
        var executionId = Guid.NewGuid();
        var run = new AlertExecution
        {
            Id = executionId, Status = "failed", ScheduledFor = T0, StartedAt = T0.AddMilliseconds(20), CompletedAt = T0.AddSeconds(3), DurationMs = 2980,
            ExitCode = 3, RetryCount = 1, ErrorMessage = new string('x', 5000),
        };

        var plan = AlertPlanner.Plan(Batch([Event(AlertEvent.Failed, T0.AddSeconds(3), executionId: executionId)], [Rule()],
            executions: new Dictionary<Guid, AlertExecution> { [executionId] = run }));

        var message = Assert.Single(plan.Deliveries).Message;
        Assert.Equal("https://cron.example.com/admin/cron/nightly", message.Job!.Url);
        Assert.Equal(2, message.Execution!.Attempt);
        Assert.Equal(AlertPlanner.MaxErrorLength + 1, message.Execution.Error!.Length);
        Assert.StartsWith("Job 'Nightly report' (nightly) failed (scheduled for 2026-12-04 10:00:00Z, attempt 2): exit code 3: xxx", message.Summary, StringComparison.Ordinal);
        var json = message.ToJson();
        Assert.Equal(message, AlertMessage.FromJson(json));
        Assert.Contains("\"type\":\"alert\"", json, StringComparison.Ordinal);
        using var slack = System.Text.Json.JsonDocument.Parse(message.ToSlackJson());
        Assert.Equal(message.Summary + " <https://cron.example.com/admin/cron/nightly|Open in Totallator>", slack.RootElement.GetProperty("text").GetString());
    }
}
